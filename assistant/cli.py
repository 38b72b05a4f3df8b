"""The `assistant` command line."""

from __future__ import annotations

import logging
import os
import sys
import textwrap
from pathlib import Path

import click

from assistant.config import Settings


class LazyGroup(click.Group):
    """A command group whose heavier subcommands live in other packages, imported when used."""

    # The library knows nothing of Slack or the evals: their commands are found by name.
    lazy = {
        "eval": ("evals.cli", "eval_command"),
        "slack": ("integrations.slack.cli", "slack_command"),
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every command, the lazy ones included."""
        return sorted([*super().list_commands(ctx), *self.lazy])

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        """A command by name, importing a lazy one on first use."""
        if name not in self.lazy:
            return super().get_command(ctx, name)
        import importlib

        module, attribute = self.lazy[name]
        return getattr(importlib.import_module(module), attribute)


def _settings(ctx: click.Context) -> Settings:
    return ctx.obj["settings"]


@click.group(cls=LazyGroup)
@click.option("--corpus", type=click.Path(path_type=Path), help="Corpus folder (default: corpus/).")
@click.option("--index", type=click.Path(path_type=Path), help="Index folder (default: indexes/).")
@click.option("-v", "--verbose", is_flag=True, help="Log what happens.")
@click.pass_context
def cli(ctx: click.Context, corpus: Path | None, index: Path | None, verbose: bool) -> None:
    """Answers questions about Kubeflow and its alternatives from the corpus, with citations."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    overrides = {"corpus_dir": corpus, "index_dir": index}
    try:
        settings = Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValueError as exc:
        raise click.ClickException(f"invalid settings: {exc}") from exc
    ctx.obj = {"settings": settings}


def _load(ctx: click.Context):  # noqa: ANN202
    from assistant.core import Assistant
    from assistant.index import IndexNotFoundError
    from assistant.loading import CorpusError

    try:
        return Assistant.load(_settings(ctx))
    except (IndexNotFoundError, CorpusError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.pass_context
def ingest(ctx: click.Context, paths: tuple[Path, ...]) -> None:
    """Build or refresh the index from the corpus (or the given files and folders)."""
    from assistant.embeddings import SentenceEmbedder
    from assistant.index import IndexStore
    from assistant.loading import CorpusError

    settings = _settings(ctx)
    store = IndexStore(settings, SentenceEmbedder(settings.embedding_model))
    try:
        report = store.ingest(
            list(paths) or None, progress=click.echo, show_bar=sys.stderr.isatty()
        )
    except CorpusError as exc:
        raise click.ClickException(str(exc)) from exc
    for name, reason in report.skipped:
        click.echo(f"skipped {name}: {reason}", err=True)
    if not report.changed:
        click.echo(
            f"Index is up to date: {report.documents} documents, {report.chunks} passages "
            f"(generation {report.generation}, nothing embedded)."
        )
        return
    click.echo(
        f"Indexed {report.documents} documents into {report.chunks} passages: "
        f"{report.embedded} sentences embedded, {report.reused} reused, {report.removed} removed "
        f"({report.seconds:.1f} s, generation {report.generation})."
    )


@cli.command()
@click.argument("question")
@click.option("--json", "as_json", is_flag=True, help="Print the /v1/chat JSON object.")
@click.option("-k", "--top-k", type=click.IntRange(1, 20), help="Passages to retrieve.")
@click.pass_context
def ask(ctx: click.Context, question: str, as_json: bool, top_k: int | None) -> None:
    """Answer one question, with its sources."""
    answer = _load(ctx).ask(question, top_k=top_k)
    if as_json:
        click.echo(answer.model_dump_json(indent=2))
    else:
        _print_answer(answer)


@cli.command()
@click.pass_context
def chat(ctx: click.Context) -> None:
    """An interactive conversation: follow-up questions are understood in context."""
    assistant = _load(ctx)
    history: list[tuple[str, str]] = []
    click.echo("Ask about Kubeflow and its alternatives. An empty line or Ctrl-D ends the chat.")
    while True:
        try:
            question = input("\n> ").strip()
        except (EOFError, KeyboardInterrupt):
            click.echo()
            break
        if not question or question.lower() in {"exit", "quit"}:
            break
        answer = assistant.ask(question, history)
        _print_answer(answer)
        history += [("user", question), ("assistant", answer.answer)]


@cli.command()
@click.argument("query")
@click.option("-k", type=click.IntRange(1, 50), default=5, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the /v1/search JSON object.")
@click.pass_context
def search(ctx: click.Context, query: str, k: int, as_json: bool) -> None:
    """Show the passages that best match a query, with their scores."""
    passages = _load(ctx).search(query, k)
    if as_json:
        import json

        click.echo(json.dumps({"results": [p.model_dump() for p in passages]}, indent=2))
        return
    for rank, passage in enumerate(passages, start=1):
        where = f"{passage.title} — {passage.section}" if passage.section else passage.title
        click.echo(f"{rank}. {passage.score:.3f}  {where}")
        click.echo(textwrap.indent(passage.text, "     ") + "\n")


@cli.command()
@click.option("--host", help="Address to bind (default 127.0.0.1).")
@click.option("--port", type=int, help="Port (default 8000).")
@click.option("--workers", type=click.IntRange(1, 64), help="Worker processes (needs a Chroma "
              "server: ASSISTANT_CHROMA_URL).")
@click.pass_context
def serve(ctx: click.Context, host: str | None, port: int | None, workers: int | None) -> None:
    """Serve the HTTP API (JSON, streaming, OpenAI-compatible) with uvicorn."""
    import uvicorn

    from assistant.api import logs
    from assistant.api.app import SERVER_OPTIONS
    from assistant.api.ratelimit import Rate

    settings = _settings(ctx)
    host = host or settings.host
    port = settings.port if port is None else port
    workers = workers or settings.workers
    try:
        Rate.parse(settings.rate_limit)
    except ValueError as exc:
        raise click.ClickException(f"ASSISTANT_RATE_LIMIT: {exc}") from exc
    if workers > 1 and not settings.chroma_url:
        raise click.ClickException(
            f"--workers {workers} needs a Chroma server: the embedded Chroma is safe for one "
            "process only. Start one (`chroma run --path indexes/chroma-server --port 8001`), "
            "set ASSISTANT_CHROMA_URL=http://127.0.0.1:8001, run `assistant ingest`, then serve."
        )
    if settings.llm:
        from assistant.llm import LLMError, chat_model

        try:
            chat_model(settings)  # a misnamed model stops here, not in the server log
        except LLMError as exc:
            raise click.ClickException(str(exc)) from exc
    if not settings.keys and not _is_loopback(host):
        raise click.ClickException(
            f"Refusing to serve on {host} without API keys: anyone who can reach it could use "
            "it. Set ASSISTANT_API_KEYS, or bind 127.0.0.1."
        )
    logs.configure(logging.INFO)
    click.echo(f"Serving on http://{host}:{port} (API docs at /docs)", err=True)
    if workers == 1:
        from assistant.api import create_app

        uvicorn.run(create_app(settings), host=host, port=port, **SERVER_OPTIONS)
        return
    # Each worker process builds its own app from the environment: pass the CLI's choices on.
    os.environ["ASSISTANT_CORPUS_DIR"] = str(settings.corpus_dir)
    os.environ["ASSISTANT_INDEX_DIR"] = str(settings.index_dir)
    os.environ["ASSISTANT_WORKERS"] = str(workers)
    uvicorn.run("assistant.api.app:app_from_environment", factory=True, host=host, port=port,
                workers=workers, **SERVER_OPTIONS)


@cli.group()
def feedback() -> None:
    """Read the feedback users gave on answers (API and Slack)."""


@feedback.command("export")
@click.option("--rating", type=click.Choice(["up", "down"]), help="Only this rating.")
@click.option("--output", type=click.Path(path_type=Path), help="Write here (default: stdout).")
@click.pass_context
def feedback_export(ctx: click.Context, rating: str | None, output: Path | None) -> None:
    """Every rating with the question and answer it rates, as JSON Lines."""
    import json

    from assistant.feedback import FeedbackStore

    path = _settings(ctx.find_root()).feedback_db
    if not path.exists():
        raise click.ClickException(f"No feedback yet: {path} does not exist.")
    store = FeedbackStore(path)
    lines = (json.dumps(r.to_json(), ensure_ascii=False) for r in store.records(rating))
    with click.open_file(str(output) if output else "-", "w", encoding="utf-8") as out:
        for line in lines:
            out.write(line + "\n")
    store.close()


@cli.command()
@click.option("--output", type=click.Path(path_type=Path), help="Also write the figures as JSON.")
@click.option("--rounds", type=click.IntRange(1, 50), default=5, show_default=True)
@click.pass_context
def bench(ctx: click.Context, output: Path | None, rounds: int) -> None:
    """Measure speed against same-run baselines (query embedding, raw encode, startup)."""
    from assistant.bench import run_bench

    run_bench(_settings(ctx), output=output, rounds=rounds, echo=click.echo)


def _is_loopback(host: str) -> bool:
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _print_answer(answer) -> None:  # noqa: ANN001
    click.echo(answer.answer)
    if not answer.citations:
        return
    click.echo("\nSources:")
    for citation in answer.citations:
        where = f"{citation.title} — {citation.section}" if citation.section else citation.title
        click.echo(f"[{citation.n}] {where} ({citation.source})")
        click.echo(textwrap.indent(citation.text, "    "))


def main() -> None:
    """Entry point of the `assistant` console script."""
    cli(prog_name="assistant")


if __name__ == "__main__":
    main()

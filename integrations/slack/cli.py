"""`assistant slack`: run the Slack bot over Socket Mode, or serve the API with /slack/events."""

from __future__ import annotations

import threading

import click

from assistant.config import Settings


@click.command("slack")
@click.option("--socket", "socket_mode", is_flag=True,
              help="Connect over Socket Mode (needs SLACK_APP_TOKEN): no public URL needed.")
@click.option("--host", help="Without --socket: address to serve on (default ASSISTANT_HOST).")
@click.option("--port", type=int, help="Without --socket: port (default ASSISTANT_PORT).")
@click.pass_context
def slack_command(ctx: click.Context, socket_mode: bool, host: str | None,
                  port: int | None) -> None:
    """Run the Slack bot: Socket Mode with --socket, else the HTTP API with POST /slack/events."""
    settings: Settings = ctx.obj["settings"]
    missing = _missing(settings, socket_mode)
    if missing:
        how = "Socket Mode" if socket_mode else "HTTP events (or use --socket)"
        raise click.UsageError(
            f"{' and '.join(missing)} must be set for {how}; see integrations/slack/README.md"
        )
    if socket_mode:
        _run_socket_mode(settings)
    else:
        _serve_http(ctx, host, port)


def _missing(settings: Settings, socket_mode: bool) -> list[str]:
    needed = {"SLACK_BOT_TOKEN": settings.slack_bot_token}
    if socket_mode:
        needed["SLACK_APP_TOKEN"] = settings.slack_app_token
    else:
        needed["SLACK_SIGNING_SECRET"] = settings.slack_signing_secret
    return [name for name, value in needed.items() if value is None]


def _serve_http(ctx: click.Context, host: str | None, port: int | None) -> None:
    """Exactly `assistant serve` (the API, with its checks): Slack is mounted at /slack/events."""
    serve = ctx.find_root().command.get_command(ctx, "serve")  # type: ignore[attr-defined]
    if serve is None:
        raise click.ClickException("this assistant has no `serve` command to mount Slack in")
    click.echo("Slack events will be served at /slack/events (Slack needs a public HTTPS URL "
               "in front of it)", err=True)
    ctx.invoke(serve, host=host, port=port)


def _run_socket_mode(settings: Settings) -> None:
    """Load the assistant, connect to Slack over a WebSocket (retrying) and answer until Ctrl-C."""
    from assistant.api.services import Services
    from integrations.slack.socket_mode import SocketModeBot

    services = Services(settings)
    services.start_loading()  # a question asked before the index is loaded waits, then is told
    bot = SocketModeBot(services)
    click.echo("Connecting to Slack over Socket Mode (Ctrl-C to stop)...", err=True)
    try:
        if bot.start():
            click.echo("Connected: mention the bot, DM it, or use /ask in Slack.", err=True)
            threading.Event().wait()  # the socket client answers on its own threads
    except KeyboardInterrupt:
        click.echo("Stopping.", err=True)
    finally:
        bot.stop()

"""FastAPI dependencies shared by the routers."""

from typing import Annotated

from fastapi import Depends, Request

from assistant.api.services import Services
from assistant.core import Assistant


# Both are `async` though they never wait: FastAPI runs a plain function dependency on a worker
# thread, and each hop there and back costs a request about a quarter of a millisecond.
async def get_services(request: Request) -> Services:
    """The services of the app handling the request."""
    return request.app.state.services


async def get_assistant(services: Annotated[Services, Depends(get_services)]) -> Assistant:
    """The loaded assistant; 503 `not_ready` while it loads."""
    return services.assistant()


ServicesDep = Annotated[Services, Depends(get_services)]
AssistantDep = Annotated[Assistant, Depends(get_assistant)]

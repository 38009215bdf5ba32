"""Which job variables to ask Zeebe for (`ZEEBE_FETCH_VARIABLES`).

All of them by default: `=` FEEL inputs may read any process variable. `inputs` stands
for the connector's own inputs, so that large process variables the task never reads
stay in the broker.
"""

from __future__ import annotations

from worker.config import ZeebeSettings

# The inputs of every version of the REST connector's element template (the old
# `queryParamters` typo included): what `ZEEBE_FETCH_VARIABLES=inputs` fetches.
CONNECTOR_INPUTS = (
    "url",
    "method",
    "authentication",
    "authenticationConfiguration",
    "headers",
    "queryParameters",
    "queryParamters",
    "body",
    "connectionTimeoutInSeconds",
    "readTimeoutInSeconds",
    "writeTimeoutInSeconds",
    "followRedirects",
    "ignoreNullValues",
    "skipEncoding",
    "storeResponse",
    "clientTls",
    "documentReturnFormat",
    "groupSetCookieHeaders",
)


def fetch_variable_names(settings: ZeebeSettings) -> list[str]:
    """The names to ask Zeebe for; empty means all variables."""
    if settings.fetch_all_variables:
        return []
    names: list[str] = []
    for name in settings.fetch_variables:
        for expanded in CONNECTOR_INPUTS if name == "inputs" else (name,):
            if expanded not in names:
                names.append(expanded)
    return names

"""Print the values JSON schema: ``python -m ros_constructs.tools.schema > values.schema.json`` (``make schema``)."""

import json

from ..values import json_schema


def render() -> str:
    return json.dumps(json_schema(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    print(render(), end="")

"""Hand a few numbers from a Hail job back to the workflow.

The action reads ``<output-uri>/_action_result.json`` after the job run ends and sets its
``result`` output to that JSON object, so later steps can use, for example,
``fromJSON(steps.hail.outputs.result).n_significant``. Keep it small: the action reads at most
64 KiB, and only a JSON object (not a list or a bare number) is accepted.

Ship this file with the job (``py-files: examples/action_result.py``) and call::

    from action_result import write_result
    write_result(args.output, {"n_variants": n, "min_p_value": p})

``s3://`` destinations are written with boto3 (installed with Hail, so it is in the job's Python
environment on EMR Serverless); anything else is treated as a local path, which is handy when
trying a script on a laptop.
"""

import json
import math
import os
from collections.abc import Mapping, Sequence
from typing import Any

RESULT_FILE = "_action_result.json"
MAX_BYTES = 64 * 1024


def result_uri(output: str) -> str:
    """Where the result for an output prefix lives: ``<output>/_action_result.json``."""
    if not output:
        raise ValueError("no output location given (set output-uri in the workflow, or --output)")
    return output.rstrip("/") + "/" + RESULT_FILE


def to_json_value(value: Any) -> Any:
    """Plain JSON values: non-finite floats become null, numpy/Hail scalars and Structs are unwrapped."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if hasattr(value, "item") and callable(value.item):  # numpy scalar
        return to_json_value(value.item())
    if isinstance(value, Mapping):
        return {str(k): to_json_value(v) for k, v in value.items()}
    if hasattr(value, "_fields") and isinstance(getattr(value, "_fields"), Mapping):  # hl.Struct
        return {str(k): to_json_value(v) for k, v in value._fields.items()}
    if isinstance(value, (Sequence, set, frozenset)) and not isinstance(value, (bytes, bytearray)):
        return [to_json_value(v) for v in value]
    return str(value)


def encode_result(values: Mapping[str, Any]) -> bytes:
    """The file's bytes: one JSON object, at most MAX_BYTES."""
    if not isinstance(values, Mapping):
        raise TypeError("the result must be a mapping (the action accepts a JSON object only)")
    body = json.dumps(to_json_value(values), sort_keys=True, allow_nan=False).encode("utf-8")
    if len(body) > MAX_BYTES:
        raise ValueError(f"the result is {len(body)} bytes; the action reads at most {MAX_BYTES}")
    return body


def write_result(output: str, values: Mapping[str, Any]) -> str:
    """Writes ``values`` to ``<output>/_action_result.json`` and returns where it went."""
    uri = result_uri(output)
    body = encode_result(values)
    if uri.startswith("s3://"):
        import boto3  # only needed for S3

        bucket, _, key = uri[len("s3://") :].partition("/")
        boto3.client("s3").put_object(Bucket=bucket, Key=key, Body=body, ContentType="application/json")
    elif "://" in uri and not uri.startswith("file://"):
        raise ValueError(f"{uri}: use an s3:// URI (the action reads s3:// only) or a local path")
    else:
        path = uri[len("file://") :] if uri.startswith("file://") else uri
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        with open(path, "wb") as f:
            f.write(body)
    return uri

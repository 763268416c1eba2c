"""Drives the gateway with the official Python openai SDK, unchanged, and prints what it saw as JSON.

Usage: sdk_client.py BASE_URL   (BASE_URL ends in /v1)
"""

import json
import sys

import openai
from openai import OpenAI

client = OpenAI(base_url=sys.argv[1], api_key="sk-test", max_retries=0)
out = {}

completion = client.chat.completions.create(
    model="sim-small", messages=[{"role": "user", "content": "hi"}]
)
out["model"] = completion.model
out["text"] = completion.choices[0].message.content
out["total_tokens"] = completion.usage.total_tokens

text = ""
usage = None
usage_chunks = 0
for chunk in client.chat.completions.create(
    model="sim-small",
    messages=[{"role": "user", "content": "hi"}],
    stream=True,
    stream_options={"include_usage": True},
):
    if chunk.choices:
        text += chunk.choices[0].delta.content or ""
    if chunk.usage:
        usage = chunk.usage.total_tokens
        usage_chunks += 1
out["stream_text"] = text
out["stream_usage"] = usage
out["stream_usage_chunks"] = usage_chunks

# The SDK's default: no stream_options. The gateway still counts the tokens; the client sees no usage.
plain_text = ""
plain_usage_chunks = 0
for chunk in client.chat.completions.create(
    model="sim-small", messages=[{"role": "user", "content": "hi there"}], stream=True
):
    if chunk.choices:
        plain_text += chunk.choices[0].delta.content or ""
    if chunk.usage is not None:
        plain_usage_chunks += 1
out["plain_stream_text"] = plain_text
out["plain_stream_usage_chunks"] = plain_usage_chunks

try:
    client.chat.completions.create(model="no-such-model", messages=[{"role": "user", "content": "hi"}])
    out["not_found"] = None
except openai.NotFoundError as error:
    out["not_found"] = {"status": error.status_code, "code": error.code}

try:
    for _ in client.chat.completions.create(
        model="cut", messages=[{"role": "user", "content": "hi"}], stream=True
    ):
        pass
    out["cut"] = "completed"
except openai.APIError as error:
    out["cut"] = error.message

models = client.models.list()
out["models"] = sorted(model.id for model in models.data)

print(json.dumps(out))

"""Drives the gateway's other endpoints and vendors with the official Python openai SDK, unchanged, and
prints what it saw as JSON.

Usage: endpoints_client.py BASE_URL   (BASE_URL ends in /v1)
"""

import json
import sys

import openai
from openai import OpenAI

client = OpenAI(base_url=sys.argv[1], api_key="sk-test", max_retries=0)
out = {}
hi = [{"role": "user", "content": "hi"}]

for model in ("claude", "azure"):
    completion = client.chat.completions.create(model=model, messages=hi)
    streamed = ""
    usage = None
    for chunk in client.chat.completions.create(
        model=model, messages=hi, stream=True, stream_options={"include_usage": True}
    ):
        if chunk.choices:
            streamed += chunk.choices[0].delta.content or ""
        if chunk.usage:
            usage = chunk.usage.total_tokens
    out[model] = {
        "text": completion.choices[0].message.content,
        "finish": completion.choices[0].finish_reason,
        "stream_text": streamed,
        "stream_usage": usage,
    }

embeddings = client.embeddings.create(model="embed", input=["one", "two"])
out["embeddings"] = {
    "count": len(embeddings.data),
    "dimensions": len(embeddings.data[0].embedding),
    "prompt_tokens": embeddings.usage.prompt_tokens,
}

try:
    client.embeddings.create(model="claude", input="x")
    out["embeddings_on_chat_only"] = None
except openai.NotFoundError as error:
    out["embeddings_on_chat_only"] = {"status": error.status_code, "code": error.code}

completion = client.completions.create(model="embed", prompt="Say hello")
streamed = "".join(
    chunk.choices[0].text for chunk in client.completions.create(model="embed", prompt="Say hello", stream=True)
)
out["completions"] = {"text": completion.choices[0].text, "stream_text": streamed}

response = client.responses.create(model="embed", input="Say hello")
events = [event.type for event in client.responses.create(model="embed", input="Say hello", stream=True)]
follow_up = client.responses.create(model="embed", input="again", previous_response_id=response.id)
out["responses"] = {
    "text": response.output_text,
    "first_event": events[0],
    "last_event": events[-1],
    "follow_up_previous": follow_up.previous_response_id == response.id,
}

print(json.dumps(out))

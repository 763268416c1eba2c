"""Reads a resumed stream and a diverged one with the official Python openai SDK; prints what it saw as JSON.

Usage: resume_client.py BASE_URL RESUMED_MODEL DIVERGED_MODEL PROMPT   (BASE_URL ends in /v1)
"""

import json
import sys

import openai
from openai import OpenAI

client = OpenAI(base_url=sys.argv[1], api_key="unused", max_retries=0)
messages = [{"role": "user", "content": sys.argv[4]}]
out = {}


def read(model):
    seen = {"text": "", "finish_reasons": [], "ids": [], "usage": None, "error": None}
    try:
        for chunk in client.chat.completions.create(
            model=model, messages=messages, stream=True, stream_options={"include_usage": True}
        ):
            if chunk.id not in seen["ids"]:
                seen["ids"].append(chunk.id)
            if chunk.choices:
                seen["text"] += chunk.choices[0].delta.content or ""
                if chunk.choices[0].finish_reason:
                    seen["finish_reasons"].append(chunk.choices[0].finish_reason)
            if chunk.usage:
                seen["usage"] = chunk.usage.completion_tokens
    except openai.APIError as error:
        seen["error"] = str(error)
    return seen


out["resumed"] = read(sys.argv[2])
out["diverged"] = read(sys.argv[3])
print(json.dumps(out))

#!/usr/bin/env node
// Node >= 22.18 strips types natively, so the CLI runs straight from src/ (no build step).
import '../src/main.ts';

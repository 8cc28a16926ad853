#!/usr/bin/env node
import { main } from './main.js';

// Not a top-level await: main() reports a command that can never finish (see reportNeverSettled) itself.
void main();

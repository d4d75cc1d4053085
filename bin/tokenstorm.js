#!/usr/bin/env node
// Runs the bundled CLI (npm run build writes dist/).
import '../dist/cli/main.js';

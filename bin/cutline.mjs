#!/usr/bin/env node
// The CLI is TypeScript run through tsx, so a fresh clone needs no build step.
import { register } from 'tsx/esm/api';

register();
// The AWS SDK warns once that Node 20 is near its end of support; the CLI supports 20 and 22. Its
// warning is a plain "Warning" (its name is in the text), so it is turned off where the SDK looks.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.removeAllListeners('warning');
process.on('warning', (w) => {
  if (!/^Node(Deprecation|VersionSupport)Warning$/.test(w.name))
    process.stderr.write(`${w.name}: ${w.message}\n`);
});
await import('./cli.ts');

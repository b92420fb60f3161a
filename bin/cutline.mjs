#!/usr/bin/env node
// The CLI runs compiled JavaScript (dist/, built by bin/build.mjs at `npm ci`, and again here when a source
// changed since): no TypeScript is compiled at start-up. Where the build cannot run, tsx runs the sources.
import { build, isFresh } from './build.mjs';

// The AWS SDK warns once that Node 20 is near its end of support; the CLI supports 20 and 22. Its
// warning is a plain "Warning" (its name is in the text), so it is turned off where the SDK looks.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.removeAllListeners('warning');
process.on('warning', (w) => {
  if (!/^Node(Deprecation|VersionSupport)Warning$/.test(w.name))
    process.stderr.write(`${w.name}: ${w.message}\n`);
});

async function compiled() {
  if (isFresh()) return true;
  try {
    await build();
    return true;
  } catch (err) {
    process.stderr.write(`cutline: could not compile (${err.message}); running the TypeScript sources\n`);
    return false;
  }
}

if (await compiled()) {
  await import('../dist/bin/cli.js');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./cli.ts');
}

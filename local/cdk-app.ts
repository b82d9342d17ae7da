import { buildApp } from '../infra/app.ts';
import { buildAssets } from './build-package.ts';

/**
 * cdk.json's app in a checkout: builds the prebuilt assets from the sources first (one esbuild
 * run), so what is synthesized is always today's code, then synthesizes as an installed package does.
 */
await buildAssets();
buildApp().synth();

/**
 * Image config and history as BuildKit writes them, for the points the
 * differential test found: each case here is a difference docker's BuildKit
 * showed, pinned at the planner so it holds without a dockerd.
 */
import { describe, expect, it } from 'vitest';
import { NO_ENV_IMAGE, planText, targetStage } from './support/plan.ts';

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

describe('BuildKit image config defaults', () => {
  it('a base image without PATH gets the default one; one with PATH keeps it', async () => {
    const { plan } = await planText('FROM bare\nENV A=1');
    expect(targetStage(plan).config.env).toEqual([
      ['PATH', DEFAULT_PATH],
      ['A', '1'],
    ]);
    const withPath = await planText('FROM mine', {
      images: { mine: { ...NO_ENV_IMAGE, env: [['PATH', '/opt/bin']] } },
    });
    expect(targetStage(withPath.plan).config.env).toEqual([['PATH', '/opt/bin']]);
  });

  it('FROM scratch starts with the default PATH and working directory /', async () => {
    const { plan } = await planText('FROM scratch\nCOPY a /a');
    const config = targetStage(plan).config;
    expect(config.env).toEqual([['PATH', DEFAULT_PATH]]);
    expect(config.workingDir).toBe('/');
  });
});

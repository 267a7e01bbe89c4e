/**
 * Image config and history as BuildKit writes them, for the points the
 * differential test found: each case here is a difference docker's BuildKit
 * showed, pinned at the planner so it holds without a dockerd.
 */
import { describe, expect, it } from 'vitest';
import { goDuration } from '../../src/plan/lower/format.ts';
import { historyOf, NO_ENV_IMAGE, planText, targetStage } from './support/plan.ts';

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

describe('CMD and HEALTHCHECK as BuildKit records them', () => {
  it('CMD in either form sets ArgsEscaped; ENTRYPOINT alone does not', async () => {
    for (const cmd of ['CMD ["a"]', 'CMD a b']) {
      const { plan } = await planText(`FROM bare\n${cmd}`);
      expect(targetStage(plan).config.argsEscaped).toBe(true);
    }
    const { plan } = await planText('FROM bare\nENTRYPOINT ["a"]');
    expect(targetStage(plan).config.argsEscaped).toBeUndefined();
  });

  it('HEALTHCHECK history is Go %+v of the config, durations as Go prints them', async () => {
    const { plan } = await planText(
      [
        'FROM bare',
        'HEALTHCHECK --interval=90s --timeout=1500ms --start-period=2h --retries=3 CMD curl -f x || exit 1',
        'HEALTHCHECK --start-interval=1.5s CMD ["true"]',
        'HEALTHCHECK NONE',
      ].join('\n'),
    );
    expect(historyOf(targetStage(plan))).toEqual([
      'HEALTHCHECK {Test:[CMD-SHELL curl -f x || exit 1] Interval:1m30s Timeout:1.5s StartPeriod:2h0m0s StartInterval:0s Retries:3}',
      'HEALTHCHECK {Test:[CMD true] Interval:0s Timeout:0s StartPeriod:0s StartInterval:1.5s Retries:0}',
      'HEALTHCHECK {Test:[NONE] Interval:0s Timeout:0s StartPeriod:0s StartInterval:0s Retries:0}',
    ]);
  });
});

describe('goDuration prints like Go time.Duration.String', () => {
  it.each([
    [0, '0s'],
    [999, '999ns'],
    [1500, '1.5µs'],
    [2_000_000, '2ms'],
    [1_250_000, '1.25ms'],
    [1e9, '1s'],
    [61e9, '1m1s'],
    [3600e9, '1h0m0s'],
    [3661.5e9, '1h1m1.5s'],
    [-5e9, '-5s'],
  ])('%d ns -> %s', (ns, text) => {
    expect(goDuration(ns)).toBe(text);
  });
});

describe('ONBUILD as BuildKit runs it', () => {
  const PARENT = {
    ...NO_ENV_IMAGE,
    onBuild: ['COPY trigger.txt /app/', 'RUN echo ran > /app/ran', 'ENV TRIGGERED=yes'],
  };

  it('records triggers without a history entry and without running them', async () => {
    const { plan } = await planText('FROM bare\nONBUILD RUN echo later\nLABEL a=b');
    const stage = targetStage(plan);
    expect(stage.config.onBuild).toEqual(['RUN echo later']);
    expect(historyOf(stage)).toEqual(['LABEL a=b']);
  });

  it("a child of an image runs the image's triggers first, of every instruction kind", async () => {
    const { plan } = await planText('FROM parent\nRUN echo child', { images: { parent: PARENT } });
    const stage = targetStage(plan);
    expect(historyOf(stage)).toEqual([
      'COPY trigger.txt /app/ # buildkit',
      'RUN /bin/sh -c echo ran > /app/ran # buildkit',
      'ENV TRIGGERED=yes',
      'RUN /bin/sh -c echo child # buildkit',
    ]);
    expect(stage.config.onBuild).toEqual([]);
  });

  it('a stage built FROM a stage with ONBUILD runs those triggers and does not inherit them', async () => {
    const { plan } = await planText(
      'FROM bare AS parent\nONBUILD RUN echo trigger\nRUN echo parent\nFROM parent\nRUN echo child',
    );
    const parent = plan.stages.find((s) => s.index === 0)!;
    const child = targetStage(plan);
    expect(parent.config.onBuild).toEqual(['RUN echo trigger']);
    expect(historyOf(child)).toEqual([
      'RUN /bin/sh -c echo trigger # buildkit',
      'RUN /bin/sh -c echo child # buildkit',
    ]);
    expect(child.config.onBuild).toEqual([]);
  });
});

describe('COPY and ADD history as BuildKit writes it', () => {
  it('names --parents, --chown and --chmod expanded, sources and heredocs, the destination as written', async () => {
    const { plan } = await planText(
      [
        'FROM bare AS src',
        'FROM bare',
        'ARG U=www-data',
        'WORKDIR /app',
        'COPY --from=src --link --chown=$U:$U --chmod=640 a b* ./',
        'COPY --parents --exclude=*.md docs/ /d/',
        'ADD --chown=1 x.tar .',
        'COPY <<EOF other <<TWO /texts/',
        'one',
        'EOF',
        'two',
        'TWO',
      ].join('\n'),
    );
    expect(historyOf(targetStage(plan)).filter((h) => /^(COPY|ADD)/.test(h))).toEqual([
      'COPY --chown=www-data:www-data --chmod=640 a b* ./ # buildkit',
      'COPY --parents docs/ /d/ # buildkit',
      'ADD --chown=1 x.tar . # buildkit',
      'COPY other <<EOF <<TWO /texts/ # buildkit',
    ]);
  });
});

/** A scripted build's events, as the library emits them, for the progress views' tests. */
import type { BuildEvent } from '../../src/index.ts';

const v = (id: string, name: string) => ({ id, name });

export const FROM = v('v1', '[1/4] FROM docker.io/library/busybox:local');
export const WORKDIR = v('v2', '[2/4] WORKDIR /var/www');
export const COPY = v('v3', '[3/4] COPY index.html .');
export const RUN = v('v4', '[4/4] RUN echo "built by tsbuild" > /built.txt');

/** Up to the moment RUN is running with two lines of output, the COPY still keying. */
export const midBuild: readonly BuildEvent[] = [
  { type: 'build.started', buildId: 'b-1', dockerfile: 'Dockerfile' },
  { type: 'phase.started', phase: { id: 'load-definition', name: '[internal] load build definition' } },
  {
    type: 'phase.completed',
    phase: { id: 'load-definition', name: '[internal] load build definition' },
    durationMs: 12,
  },
  { type: 'vertex.queued', vertex: FROM, key: 'k1' },
  { type: 'vertex.queued', vertex: WORKDIR, key: 'k2' },
  { type: 'vertex.queued', vertex: COPY, key: 'k3' },
  { type: 'vertex.queued', vertex: RUN, key: 'k4' },
  { type: 'vertex.cached', vertex: FROM, key: 'k1', durationMs: 1 },
  { type: 'vertex.cached', vertex: WORKDIR, key: 'k2', durationMs: 2 },
  { type: 'vertex.started', vertex: COPY, key: 'k3', explain: 'index.html content changed', shared: false },
  { type: 'vertex.progress', vertex: COPY, current: 2_500_000, total: 10_000_000 },
  { type: 'vertex.started', vertex: RUN, key: 'k4', explain: 'its input changed', shared: false },
  { type: 'vertex.log', vertex: RUN, stream: 'stdout', data: 'compiling part 1\ncompiling part 2\npart' },
];

export const finished: readonly BuildEvent[] = [
  ...midBuild,
  { type: 'vertex.log', vertex: RUN, stream: 'stdout', data: 'ial\n' },
  { type: 'vertex.completed', vertex: COPY, key: 'k3', durationMs: 210, bytes: 10 },
  { type: 'vertex.completed', vertex: RUN, key: 'k4', durationMs: 1500, bytes: undefined },
  { type: 'phase.started', phase: { id: 'export', name: 'exporting to image' } },
  { type: 'phase.completed', phase: { id: 'export', name: 'exporting to image' }, durationMs: 40 },
  { type: 'build.completed', buildId: 'b-1', durationMs: 2100, imageId: 'sha256:abc123' },
];

export const failed: readonly BuildEvent[] = [
  ...midBuild,
  { type: 'vertex.log', vertex: RUN, stream: 'stderr', data: 'ial\nmake: *** [all] Error 2\n' },
  {
    type: 'vertex.failed',
    vertex: RUN,
    key: 'k4',
    durationMs: 900,
    error: new Error('RUN exited with code 2'),
  },
  { type: 'vertex.cancelled', vertex: COPY, key: 'k3', durationMs: 950 },
  { type: 'build.failed', buildId: 'b-1', durationMs: 1000, error: new Error('RUN exited with code 2') },
];

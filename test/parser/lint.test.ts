// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are Dockerfiles with ${VAR} words.
import { describe, expect, it } from 'vitest';
import { CHECK_NAMES, lintDockerfile, parseDockerfile } from '../../src/parser/index.ts';

const noImageEnv = () => new Set<string>();
const findings = (text: string, buildArgs?: ReadonlyMap<string, string>) => {
  const parsed = parseDockerfile(text);
  expect(parsed.errors).toEqual([]);
  const result = lintDockerfile(parsed, { baseImageEnv: noImageEnv, ...(buildArgs ? { buildArgs } : {}) });
  return [...result.errors, ...result.warnings].map(
    (d) => `${d.severity} ${d.code} ${d.range.start.line}: ${d.message}`,
  );
};

describe('lintDockerfile', () => {
  it('implements at least 12 BuildKit checks by name', () => {
    expect(CHECK_NAMES.length).toBeGreaterThanOrEqual(12);
    expect(CHECK_NAMES).toEqual(
      expect.arrayContaining(['StageNameCasing', 'UndefinedVar', 'NoEmptyContinuation']),
    );
  });

  it('is silent on a clean Dockerfile', () => {
    expect(
      findings(
        'ARG BASE=alpine:3.20\nFROM ${BASE} AS build\nWORKDIR /src\nARG VERSION=1\nENV V=$VERSION\nCOPY . .\nCMD ["run"]\n',
      ),
    ).toEqual([]);
  });

  it.each([
    [
      'StageNameCasing',
      'FROM alpine AS Build\n',
      "warning StageNameCasing 1: Stage name 'Build' should be lowercase",
    ],
    [
      'FromAsCasing',
      'FROM alpine as build\n',
      "warning FromAsCasing 1: 'as' and 'FROM' keywords' casing do not match",
    ],
    [
      'ConsistentInstructionCasing',
      'FROM alpine\nRUN a\nrun b\nRUN c\n',
      "warning ConsistentInstructionCasing 3: Command 'run' should match the case of the command majority (uppercase)",
    ],
    [
      'DuplicateStageName',
      'FROM alpine AS a\nFROM alpine AS a\n',
      'warning DuplicateStageName 2: Duplicate stage name "a", stage names should be unique',
    ],
    [
      'ReservedStageName',
      'FROM alpine AS scratch\n',
      'warning ReservedStageName 1: Stage name should not use the same name as reserved stage "scratch"',
    ],
    [
      'JSONArgsRecommended',
      'FROM alpine\nENTRYPOINT my-program start\n',
      'warning JSONArgsRecommended 2: JSON arguments recommended for ENTRYPOINT to prevent unintended behavior related to OS signals',
    ],
    [
      'MaintainerDeprecated',
      'FROM alpine\nMAINTAINER me\n',
      'warning MaintainerDeprecated 2: Maintainer instruction is deprecated in favor of using label',
    ],
    [
      'UndefinedVar',
      'FROM alpine\nENV PATH=$PAHT:/app/bin\n',
      "warning UndefinedVar 2: Usage of undefined variable '$PAHT' (did you mean $PATH?)",
    ],
    [
      'UndefinedArgInFrom',
      'ARG VERSION=1\nFROM alpine$VERSIN\n',
      "warning UndefinedArgInFrom 2: FROM argument 'VERSIN' is not declared (did you mean VERSION?)",
    ],
    [
      'InvalidDefaultArgInFrom',
      'ARG TAG\nFROM busybox:${TAG}\n',
      'warning InvalidDefaultArgInFrom 2: Default value for ARG busybox:${TAG} results in empty or invalid base image name',
    ],
    [
      'WorkdirRelativePath',
      'FROM nginx\nWORKDIR usr/share/nginx/html\n',
      'warning WorkdirRelativePath 2: Relative workdir "usr/share/nginx/html" can have unexpected results if the base image changes',
    ],
    [
      'MultipleInstructionsDisallowed',
      'FROM alpine\nCMD ["a"]\nCMD ["b"]\n',
      'warning MultipleInstructionsDisallowed 2: Multiple CMD instructions should not be used in the same stage because only the last one will be used',
    ],
    [
      'LegacyKeyValueFormat',
      'FROM alpine\nENV A 1\n',
      'warning LegacyKeyValueFormat 2: "ENV key=value" should be used instead of legacy "ENV key value" format',
    ],
    [
      'SecretsUsedInArgOrEnv',
      'FROM scratch\nARG AWS_SECRET_ACCESS_KEY\n',
      'warning SecretsUsedInArgOrEnv 2: Do not use ARG or ENV instructions for sensitive data (ARG "AWS_SECRET_ACCESS_KEY")',
    ],
    [
      'RedundantTargetPlatform',
      'FROM --platform=$TARGETPLATFORM alpine\n',
      'warning RedundantTargetPlatform 1: Setting platform to predefined $TARGETPLATFORM in FROM is redundant as this is the default behavior',
    ],
    [
      'ExposeProtoCasing',
      'FROM alpine\nEXPOSE 80/TCP\n',
      "warning ExposeProtoCasing 2: Defined protocol '80/TCP' in EXPOSE instruction should be lowercase",
    ],
    [
      'ExposeInvalidFormat',
      'FROM alpine\nEXPOSE 127.0.0.1:80:80\n',
      "warning ExposeInvalidFormat 2: EXPOSE instruction should not define an IP address or host-port mapping, found '127.0.0.1:80:80'",
    ],
    [
      'NoEmptyContinuation',
      'FROM alpine\nRUN a \\\n\n b\n',
      'warning NoEmptyContinuation 3: Empty continuation line',
    ],
  ])('%s', (_name, text, expected) => {
    expect(findings(text)).toEqual([expected]);
  });

  it('does not flag what the rules allow', () => {
    expect(findings('FROM alpine\nSHELL ["/bin/bash", "-c"]\nENTRYPOINT echo hi\n')).toEqual([]);
    expect(findings('FROM alpine\nHEALTHCHECK CMD ["true"]\nCMD ["a"]\n')).toEqual([]);
    expect(findings('ARG VARIANT\nFROM busybox:stable${VARIANT}\n')).toEqual([]);
    expect(findings('FROM alpine AS base\nWORKDIR /app\nFROM base\nWORKDIR src\n')).toEqual([]);
    expect(findings('FROM alpine\nARG PUBLIC_KEY\nENV GPG_KEYS=x\n')).toEqual([]);
    expect(findings('FROM alpine AS base\nENV A=1\nFROM base\nCOPY $A /\n')).toEqual([]);
    expect(findings('ARG B=base\nFROM alpine AS base\nENV A=1\nFROM ${B}\nCOPY $A /\n')).toEqual([]);
  });

  it('does not call variables undefined when the base image environment is unknown', () => {
    const parsed = parseDockerfile('FROM golang\nWORKDIR $GOPATH/src\n');
    expect(lintDockerfile(parsed).warnings).toEqual([]);
    expect(
      lintDockerfile(parsed, {
        baseImageEnv: (image) => (image === 'golang' ? new Set(['GOPATH']) : undefined),
      }).warnings,
    ).toEqual([]);
  });

  it('honours # check=skip=..., skip=all and error=true', () => {
    const body = 'FROM alpine AS Build\nMAINTAINER me\n';
    expect(findings(`# check=skip=StageNameCasing\n${body}`)).toEqual([
      'warning MaintainerDeprecated 3: Maintainer instruction is deprecated in favor of using label',
    ]);
    expect(findings(`# check=skip=all\n${body}`)).toEqual([]);
    expect(findings(`# check=skip=MaintainerDeprecated;error=true\n${body}`)).toEqual([
      "error StageNameCasing 2: Stage name 'Build' should be lowercase",
    ]);
  });

  it('lets BUILDKIT_DOCKERFILE_CHECK override the directive, and reports a malformed config', () => {
    const text = '# check=skip=all\nFROM alpine AS Build\n';
    expect(findings(text, new Map([['BUILDKIT_DOCKERFILE_CHECK', 'error=true']]))).toEqual([
      "error StageNameCasing 2: Stage name 'Build' should be lowercase",
    ]);
    const bad = lintDockerfile(parseDockerfile('# check=skipp=all\nFROM alpine\n'));
    expect(bad.errors.map((e) => [e.code, e.range.start.line])).toEqual([['DF_LINT', 1]]);
  });
});

/**
 * USER resolution as runc/Docker do it (libcontainer's GetExecUser): `name`, `uid`, `name:group`,
 * `uid:gid`; names are looked up in the image's /etc/passwd and /etc/group, numeric ids need no
 * entry, and supplementary groups come from /etc/group only when no group was given.
 */
import { readFile } from 'node:fs/promises';
import { TsbuildError } from '../errors.ts';
import { lookupInLayers } from './snapshot/lookup.ts';
import type { SpecUser } from './spec/generate.ts';

export interface ResolvedUser extends SpecUser {
  readonly home: string;
}

interface PasswdEntry {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly home: string;
}

interface GroupEntry {
  readonly name: string;
  readonly gid: number;
  readonly members: readonly string[];
}

const MAX_ID = 2 ** 31 - 1;

function parseId(text: string): number | undefined {
  return /^[0-9]+$/.test(text) ? Number(text) : undefined;
}

function lines(text: string): string[][] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => line.split(':'));
}

export function parsePasswd(text: string): PasswdEntry[] {
  return lines(text).flatMap(([name = '', , uid = '', gid = '', , home = '']) => {
    const uidNumber = parseId(uid);
    const gidNumber = parseId(gid);
    return uidNumber === undefined || gidNumber === undefined
      ? []
      : [{ name, uid: uidNumber, gid: gidNumber, home: home || '/' }];
  });
}

export function parseGroup(text: string): GroupEntry[] {
  return lines(text).flatMap(([name = '', , gid = '', members = '']) => {
    const gidNumber = parseId(gid);
    return gidNumber === undefined
      ? []
      : [{ name, gid: gidNumber, members: members.split(',').filter((member) => member !== '') }];
  });
}

function checkRange(id: number, what: string, spec: string): number {
  if (id > MAX_ID) throw new TsbuildError('EXECUTOR', `USER ${spec}: ${what} ${id} is out of range`);
  return id;
}

/** Pure resolution from file contents (undefined when the image has no such file). */
export function resolveUserSpec(
  spec: string | undefined,
  passwdText: string | undefined,
  groupText: string | undefined,
): ResolvedUser {
  const [userPart = '', groupPart = ''] = (spec ?? '').split(':', 2);
  const users = parsePasswd(passwdText ?? '');
  const groups = parseGroup(groupText ?? '');
  const uidArg = parseId(userPart);

  let uid = 0;
  let gid = 0;
  let home = '/';
  let matchedName: string | undefined;
  const entry = users.find((user) =>
    userPart === '' ? user.uid === 0 : uidArg !== undefined ? user.uid === uidArg : user.name === userPart,
  );
  if (entry !== undefined) {
    ({ uid, gid, home } = entry);
    matchedName = entry.name;
  } else if (userPart !== '') {
    if (uidArg === undefined) {
      throw new TsbuildError(
        'EXECUTOR',
        `USER ${spec}: unable to find user ${userPart} in the image's /etc/passwd`,
        {
          hint: 'Create the user in an earlier RUN (e.g. adduser) or use a numeric uid.',
        },
      );
    }
    uid = checkRange(uidArg, 'uid', spec ?? '');
  }

  if (groupPart !== '') {
    const gidArg = parseId(groupPart);
    const group = groups.find((candidate) =>
      gidArg !== undefined ? candidate.gid === gidArg : candidate.name === groupPart,
    );
    if (group !== undefined) {
      gid = group.gid;
    } else if (gidArg !== undefined) {
      gid = checkRange(gidArg, 'gid', spec ?? '');
    } else {
      throw new TsbuildError(
        'EXECUTOR',
        `USER ${spec}: unable to find group ${groupPart} in the image's /etc/group`,
        {
          hint: 'Create the group in an earlier RUN (e.g. addgroup) or use a numeric gid.',
        },
      );
    }
    return { uid, gid, home, additionalGids: [] };
  }

  const additionalGids =
    matchedName === undefined
      ? []
      : groups.filter((group) => group.members.includes(matchedName)).map((group) => group.gid);
  return { uid, gid, home, additionalGids };
}

async function readRootfsFile(layers: readonly string[], path: string): Promise<string | undefined> {
  const found = await lookupInLayers(layers, path);
  if (found.kind !== 'found' || found.type !== 'file') return undefined;
  return readFile(found.hostPath, 'utf8');
}

/** Resolves USER against the rootfs made of `layers` (top first), never reading outside it. */
export async function resolveUser(
  layers: readonly string[],
  spec: string | undefined,
): Promise<ResolvedUser> {
  const [passwd, group] = await Promise.all([
    readRootfsFile(layers, '/etc/passwd'),
    readRootfsFile(layers, '/etc/group'),
  ]);
  return resolveUserSpec(spec, passwd, group);
}

import { describe, expect, it } from '@jest/globals';
import { parseXml, writeXml } from '../../../src/domain/index.js';
import { keepMadeUp } from '../../../src/define/identity.js';

const keep = (planned: string, defined: string) => writeXml(keepMadeUp(parseXml(planned), parseXml(defined)));

describe('keepMadeUp', () => {
  it('carries MACs over by position, and an empty genid', () => {
    const out = keep(
      '<domain><genid/><devices><interface type="user"/><interface type="network"/></devices></domain>',
      "<domain><genid>g-1</genid><devices><interface type='user'><mac address='52:54:00:00:00:01'/></interface><interface type='network'><mac address='52:54:00:00:00:02'/></interface></devices></domain>",
    );
    expect(out).toContain('<genid>g-1</genid>');
    expect(out).toMatch(/<interface type="user">\s*<mac address="52:54:00:00:00:01"\/>/);
    expect(out).toMatch(/<interface type="network">\s*<mac address="52:54:00:00:00:02"\/>/);
  });

  it('leaves what the config sets alone, and never hands out a MAC twice', () => {
    const out = keep(
      '<domain><genid>mine</genid><devices><interface type="user"/><interface type="user"><mac address="52:54:00:00:00:01"/></interface></devices></domain>',
      "<domain><genid>g-1</genid><devices><interface type='user'><mac address='52:54:00:00:00:01'/></interface></devices></domain>",
    );
    expect(out).toContain('<genid>mine</genid>');
    expect(out.match(/52:54:00:00:00:01/g)).toHaveLength(1);
  });
});

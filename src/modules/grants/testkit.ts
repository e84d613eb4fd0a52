/** Test helpers of the grants module: agencies, agency staff, a small extract written to a file. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import zlib from 'node:zlib';
import type { Ctx } from '../../platform/context.ts';
import { ctxAs, snapshotTables, type TestApp, type TestUser } from '../../platform/testing.ts';
import { EXTRACT_NS } from './extract.ts';

export const GRANTS_TABLES = ['grants_plan', 'grants_plan_version', 'grants_review', 'grants_notice', 'grants_notice_ack', 'grants_opportunity', 'grants_award', 'grants_watch', 'grants_setting', 'grants_import', 'audit_events'];

/** Every row of the module's tables and of the audit log, to prove a refused command changed none. */
export const snapshot = (t: TestApp): Promise<string> => snapshotTables(t.ctx, GRANTS_TABLES);

export { agency, staffOf } from '../structure/testkit.ts';

export const ctxOf = (t: TestApp, u: TestUser): Promise<Ctx> => ctxAs(t.ctx, u);

export interface OppSpec {
  id: string;
  title: string;
  kind?: 'posted' | 'forecast';
  number?: string;
  listings?: string[];
  updated?: string; // MMDDYYYY
  post?: string;
  close?: string;
  description?: string;
  fiscalYear?: number;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** One record of the extract as Grants.gov writes it. */
export function oppXml(o: OppSpec): string {
  const tag = o.kind === 'forecast' ? 'OpportunityForecastDetail_1_0' : 'OpportunitySynopsisDetail_1_0';
  const [post, close] = o.kind === 'forecast' ? ['EstimatedSynopsisPostDate', 'EstimatedSynopsisCloseDate'] : ['PostDate', 'CloseDate'];
  return [
    `<${tag}>`,
    `<OpportunityID>${o.id}</OpportunityID>`,
    `<OpportunityTitle>${esc(o.title)}</OpportunityTitle>`,
    o.number ? `<OpportunityNumber>${esc(o.number)}</OpportunityNumber>` : '',
    '<OpportunityCategory>D</OpportunityCategory>',
    '<FundingInstrumentType>G</FundingInstrumentType>',
    ...(o.listings ?? []).map((l) => `<CFDANumbers>${l}</CFDANumbers>`),
    '<EligibleApplicants>12</EligibleApplicants><EligibleApplicants>25</EligibleApplicants>',
    '<AgencyCode>USDOJ-OJP-OVC</AgencyCode><AgencyName>Office for Victims of Crime</AgencyName>',
    o.post ? `<${post}>${o.post}</${post}>` : '',
    o.close ? `<${close}>${o.close}</${close}>` : '',
    `<LastUpdatedDate>${o.updated ?? '01022027'}</LastUpdatedDate>`,
    '<AwardCeiling>750000</AwardCeiling><AwardFloor>none</AwardFloor><EstimatedTotalProgramFunding>9000000</EstimatedTotalProgramFunding><ExpectedNumberOfAwards>12</ExpectedNumberOfAwards>',
    o.fiscalYear ? `<FiscalYear>${o.fiscalYear}</FiscalYear>` : '',
    `<Description>${esc(o.description ?? 'Services for victims of crime.')}</Description>`,
    '<AdditionalInformationURL>https://www.ovc.ojp.gov/funding</AdditionalInformationURL>',
    `</${tag}>`,
  ].join('');
}

export function extractXml(records: OppSpec[], ns = EXTRACT_NS): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Grants xmlns="${ns}">\n${records.map(oppXml).join('\n')}\n</Grants>\n`;
}

/** Writes content to a new temporary file and answers its path. */
export function tempFile(name: string, content: string | Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), 'grants-test-'));
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** A zip holding one deflated file (local header, data, central directory, end record), for the importer's tests. */
export function zipOf(name: string, content: string | Buffer): Buffer {
  const { crc32, deflateRawSync } = zlib;
  const data = Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8');
  const packed = deflateRawSync(data);
  const fname = Buffer.from(name, 'utf8');
  const crc = crc32(data);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(0, 6);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(0, 10);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(packed.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(fname.length, 26);
  local.writeUInt16LE(0, 28);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(0, 8);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(0, 12);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(packed.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(fname.length, 28);
  central.writeUInt32LE(0, 42);
  const cdOffset = local.length + fname.length + packed.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + fname.length, 12);
  end.writeUInt32LE(cdOffset, 16);
  return Buffer.concat([local, fname, packed, central, fname, end]);
}

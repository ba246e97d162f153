import { z } from 'zod';

/**
 * Dates the service accepts lie in 2000–2099: a year outside is a typing error (0001-01-01 used to be accepted, and
 * a matter received then escalated at once). The bound is in the pattern, so the OpenAPI document shows it.
 */
export const SANE_YEARS = { from: 2000, to: 2099 } as const;

/**
 * A calendar day of 2000–2099 as one pattern (months' lengths, 29 February in leap years: every year divisible by 4,
 * 2000 included), so that what the OpenAPI document publishes is exactly what is accepted.
 */
const DAY = String.raw`20\d{2}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\d|30)|02-(?:0[1-9]|1\d|2[0-8]))|20(?:[02468][048]|[13579][26])-02-29`;
export const DATE_PATTERN = new RegExp(`^(?:${DAY})$`);
export const INSTANT_PATTERN = new RegExp(String.raw`^(?:${DAY})T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,9})?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$`);

/** Business dates are Asia/Shanghai calendar dates. */
export const isoDate = z.string().regex(DATE_PATTERN, 'a real date as YYYY-MM-DD (Asia/Shanghai), in 2000–2099').meta({ format: 'date' });

/** An instant with its UTC offset (ISO 8601: 2026-11-27T09:30:00+08:00 or …Z), in 2000–2099. */
export const isoInstant = z.string().regex(INSTANT_PATTERN, 'an instant with its UTC offset (2026-11-27T09:30:00+08:00), in 2000–2099').meta({ format: 'date-time' });

/** A receipt older than this is refused at intake: every limit counted from it would long have run out. */
export const MAX_RECEIPT_AGE_DAYS = 90;

export const channels = ['letter', 'visit', 'online', 'phone'] as const; // 四位一体 信/访/网/电
export const sources = ['direct', 'grid_worker', 'agent', 'assigned_down', 'forwarded_down', 'leader_reception'] as const;
export const purposes = ['complaint', 'request', 'suggestion', 'report', 'opinion'] as const;
export const categories = [
  'urban_construction', // 城乡建设
  'land_resources', // 国土资源
  'labour_social_security', // 劳动和社会保障
  'health', // 卫生健康
  'environment', // 生态环境
  'agriculture_rural', // 农村农业
  'political_legal', // 政法
  'education', // 教育
  'civil_affairs', // 民政
  'other',
] as const;
/** 法定途径: channels a matter that belongs to another legal procedure is routed to (诉访分离). */
export const statutoryChannels = ['litigation', 'arbitration', 'administrative_reconsideration', 'discipline_inspection', 'political_legal'] as const;

export const petitionerSchema = z.object({
  name: z.string().trim().min(1).max(100),
  main: z.boolean().default(false),
  idType: z.enum(['resident_id', 'passport', 'other']).default('resident_id'),
  idNumber: z.string().trim().min(4).max(40).optional(),
  phone: z.string().trim().regex(/^[0-9+\-\s]{5,20}$/, 'a phone number').optional(),
  addressCode: z.string().trim().max(20).optional(),
  address: z.string().trim().max(200).optional(),
});

export const attachmentSchema = z.object({
  name: z.string().min(1).max(200),
  contentType: z.string().min(3).max(100),
  size: z.number().int().min(0).max(50 * 1024 * 1024),
  sha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
});

/** Intake of a petition (after the national 信访件 exchange format), domain.md §2. */
export const intakeSchema = z
  .object({
    channel: z.enum(channels),
    source: z.enum(sources).default('direct'),
    /** 信访代理: the agent files for the petitioner with an authorisation. */
    agent: z.object({ name: z.string().min(1).max(100), authorisation: z.string().min(1).max(200) }).optional(),
    /** 上级交办/转送: the superior bureau and its document number. */
    superior: z.object({ body: z.string().min(1).max(100), documentNo: z.string().min(1).max(100) }).optional(),
    /** 领导接访: the leader who received the petitioner on a reception day. */
    leaderReception: z.object({ leaderName: z.string().min(1).max(100), date: isoDate }).optional(),
    gridWorker: z.object({ name: z.string().min(1).max(100) }).optional(),
    anonymous: z.boolean().default(false),
    jointSignature: z.boolean().default(false),
    petitioners: z.array(petitionerSchema).max(200).default([]),
    personsCount: z.number().int().min(1).max(100_000).default(1),
    personsInvolved: z.number().int().min(1).max(1_000_000).optional(),
    /** Problem location: a division code (see db/seed/lishui-divisions.csv). */
    divisionCode: z.string().min(2).max(20),
    category: z.enum(categories),
    purpose: z.enum(purposes),
    summary: z.string().trim().min(5).max(5000),
    attachments: z.array(attachmentSchema).max(50).default([]),
    flags: z
      .object({
        litigation: z.boolean().default(false), // 涉法涉诉
        crossRegion: z.boolean().default(false), // 三跨三分离
        majorUrgent: z.boolean().default(false), // 重大紧急
      })
      .default({ litigation: false, crossRegion: false, majorUrgent: false }),
    /** Units named as accused in a report: never routed to (2022 条例 第三十条). */
    accusedUnitIds: z.array(z.string()).max(20).default([]),
    /** When the body received it; defaults to now. Never in the future. */
    receivedAt: isoInstant.optional().describe(`when the body received it (at most ${MAX_RECEIPT_AGE_DAYS} days ago, not in the future)`),
    /** A submission on an open matter: linked to it, no new matter. */
    linkToCaseNo: z.string().min(3).max(40).optional(),
    /**
     * Repeats are linked, not duplicated: when the petitioner has open matters, the registrar links the submission
     * to one (linkToCaseNo) or registers a new matter saying why it is a different one.
     */
    newMatterReason: z.string().trim().min(4).max(1000).optional(),
  })
  .superRefine((v, ctx) => {
    if (v.source === 'agent' && !v.agent) ctx.addIssue({ code: 'custom', path: ['agent'], message: 'an agent filing needs the agent and the authorisation' });
    if ((v.source === 'assigned_down' || v.source === 'forwarded_down') && !v.superior)
      ctx.addIssue({ code: 'custom', path: ['superior'], message: 'a matter from a superior bureau needs the body and its document number' });
    if (v.source === 'leader_reception' && !v.leaderReception)
      ctx.addIssue({ code: 'custom', path: ['leaderReception'], message: 'a leader reception day needs the leader and the date' });
    if (v.source === 'grid_worker' && !v.gridWorker) ctx.addIssue({ code: 'custom', path: ['gridWorker'], message: 'a grid worker report names the grid worker' });
    if (!v.anonymous && v.petitioners.length === 0)
      ctx.addIssue({ code: 'custom', path: ['petitioners'], message: 'at least one petitioner, unless anonymous' });
    if (v.petitioners.filter((p) => p.main).length > 1)
      ctx.addIssue({ code: 'custom', path: ['petitioners'], message: 'at most one main petitioner (主访人)' });
    if (v.personsCount < v.petitioners.length)
      ctx.addIssue({ code: 'custom', path: ['personsCount'], message: 'fewer persons than petitioners listed' });
  });
export type Intake = z.output<typeof intakeSchema>;

/** The answer to a registration (stored with its Idempotency-Key, so a retry gets it again). */
export interface IntakeResult {
  outcome: 'registered' | 'linked';
  caseNo: string;
  queryCode?: string;
  workflowId: string;
  /** Open matters of the same petitioner: possible repeats for the registrar to check. */
  possibleRepeats: { caseNo: string; status: string; registeredAt: string }[];
  submissionId?: string;
}


/** 集体访: five or more persons (domain.md §1 decision; the legal cap for representatives is 5). */
export const COLLECTIVE_THRESHOLD = 5;
export function isCollective(personsCount: number): boolean {
  return personsCount >= COLLECTIVE_THRESHOLD;
}

export const statuses = [
  'REGISTERED',
  'TRIAGE',
  'ROUTED_TO_CHANNEL', // 诉访分离: told which statutory channel to use
  'NOT_ACCEPTED',
  'LINKED', // merged into another open matter
  'AWAITING_ACCEPTANCE',
  'IN_HANDLING',
  'EXTENDED',
  'REPLIED',
  'UNSATISFIED',
  'CLOSED',
  'REVIEW',
  'REVIEWED',
  'RE_REVIEW',
  'TERMINATED', // 三级终结
] as const;
export type Status = (typeof statuses)[number];

/** A matter in one of these statuses has reached its end; nothing more runs on it. */
export const finalStatuses: readonly Status[] = ['ROUTED_TO_CHANNEL', 'NOT_ACCEPTED', 'LINKED', 'CLOSED', 'TERMINATED'];
export function isOpen(status: Status): boolean {
  return !finalStatuses.includes(status);
}

export const satisfaction = ['satisfied', 'basically_satisfied', 'unsatisfied'] as const; // 满意 / 基本满意 / 不满意

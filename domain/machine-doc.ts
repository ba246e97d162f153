/**
 * The state machine's table as Markdown: docs/STATE_MACHINE.md is this text, written by `npm run docs:machine` and
 * checked by test/unit/machine-doc.test.ts, so the docs cannot drift from the table.
 */
import { permissions } from './access';
import { transitionNames, transitions, type Transition } from './machine';
import { noticeKinds } from './notices';
import { statuses } from './petition';
import { campaignLimitKeys, statutoryLimitKeys } from './rules';
import { taskTable } from './tasks';

const list = (xs: readonly string[] | undefined) => (xs && xs.length ? xs.map((x) => `\`${x}\``).join(', ') : '—');

export function renderStateMachine(): string {
  const rows = transitionNames.map((name) => {
    const t = transitions[name] as unknown as Transition;
    const to = typeof t.to === 'function' ? 'by content' : t.to ? `\`${t.to}\`` : '(stays)';
    const from = t.from.length === statuses.length ? 'any' : list(t.from);
    const who = list(permissions[t.permission]) + (t.ownUnit ? ' (own unit)' : '');
    return `| \`${name}\` ${t.zh} | ${who} | ${from} | ${to} | ${list(t.meets)} | ${list(t.cancels)} | ${list(t.starts)} | ${list(t.notices?.map((n) => `${n}`))} |`;
  });
  const tasks = Object.entries(taskTable).map(([status, ts]) => `| \`${status}\` | ${ts.map((t) => `\`${t.kind}\` (${t.assigneeRole}${t.limit ? `, against \`${t.limit}\`` : ''}): ${t.detail}`).join('<br>')} |`);
  return [
    '# The state machine of a petition matter',
    '',
    'Generated from `domain/machine.ts` (the transition table) and `domain/tasks.ts` by `npm run docs:machine`;',
    '`test/unit/machine-doc.test.ts` fails when this file and the table disagree. Edit the table, not this file.',
    '',
    `Statuses: ${list(statuses)}. Limits: statutory ${list(statutoryLimitKeys)}; campaign and service ${list(campaignLimitKeys)}.`,
    '',
    '## Commands',
    '',
    'A command is given by a role of the second column, in a status of the third; it leads to the fourth, meets,',
    'cancels and starts the limits named and files the notices named. Anything else is refused with a code and a',
    'reason in Chinese and English (`IllegalState` 409, `Forbidden` 403, `InvalidInput` 400).',
    '',
    '| Command | Who | From | To | Meets | Cancels | Starts | Notices |',
    '|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    'Events without a caseworker\'s decision: a further submission (件次: a repeat, refused after 三级终结, and 一事双查',
    'when the matter is past a statutory limit), a visit (warning slip, three-party review, skip-level 一事双查), and',
    'the limits\' own alarms (reminders, escalation at an administration limit, expiry of a window — an unused review',
    'window closes the matter `CLOSED`).',
    '',
    '## Work list by status',
    '',
    '| Status | Tasks |',
    '|---|---|',
    ...tasks,
    '',
    '## Notices',
    '',
    '| Kind | Title | Legal basis |',
    '|---|---|---|',
    ...Object.entries(noticeKinds).map(([kind, n]) => `| \`${kind}\` | ${n.title} | ${n.basis} |`),
    '',
  ].join('\n');
}

import { useQuery } from '@tanstack/react-query';
import { Alert, Space, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import { api, unwrap } from '../api/client';
import { ErrorState, Loading } from './States';

type Preview = Awaited<ReturnType<typeof fetchPreview>>;

const fetchPreview = (limit: string, start: string, days: number) =>
  unwrap(api.GET('/api/deadlines/preview', { params: { query: { limit: limit as never, start, days } } })) as Promise<{
    summary: string;
    counting: 'natural' | 'working';
    countFrom: string;
    dueDate: string;
    days: number;
    skipped: { date: string; name: string; kind: string }[];
    makeUpWorkdays: { date: string; name: string; kind: string }[];
    rolledOver: { date: string; name: string; kind: string }[];
  }>;

interface Day {
  date: string;
  text: string;
  color?: string;
}

/** Every day from the day after the start to the due date: counted (with its number), skipped, or rolled over. */
export function daysOf(p: Preview): Day[] {
  const skipped = new Map(p.skipped.map((d) => [d.date, d.name]));
  const makeUp = new Map(p.makeUpWorkdays.map((d) => [d.date, d.name]));
  const rolled = new Map(p.rolledOver.map((d) => [d.date, d.name]));
  const out: Day[] = [];
  let n = 0;
  for (let d = dayjs(p.countFrom).add(1, 'day'); !d.isAfter(dayjs(p.dueDate), 'day') && out.length < 400; d = d.add(1, 'day')) {
    const date = d.format('YYYY-MM-DD');
    const md = d.format('M月D日');
    if (skipped.has(date)) out.push({ date, text: `${md} ${skipped.get(date)}，不计`, color: 'default' });
    else if (rolled.has(date)) out.push({ date, text: `${md} ${rolled.get(date)}，顺延`, color: 'orange' });
    else {
      n += 1;
      out.push({ date, text: `${md} 第${n}日${makeUp.has(date) ? `（${makeUp.get(date)}）` : ''}${date === p.dueDate ? '，届满' : ''}`, color: makeUp.has(date) ? 'purple' : date === p.dueDate ? 'blue' : undefined });
    }
  }
  return out;
}

/** A limit's day-by-day count, from the deadline calculator (GET /api/deadlines/preview), beside the stored due date. */
export function DeadlineExplain({ limit, start, days, dueDate }: { limit: string; start: string; days: number; dueDate: string }) {
  const preview = useQuery({ queryKey: ['deadline-preview', limit, start, days], queryFn: () => fetchPreview(limit, start, days), staleTime: 60_000 });
  if (preview.isPending) return <Loading rows={2} />;
  if (preview.isError) return <ErrorState error={preview.error} onRetry={() => void preview.refetch()} />;
  const p = preview.data;
  return (
    <div data-testid={`explain-${limit}`}>
      <Typography.Paragraph>{p.summary}</Typography.Paragraph>
      {p.dueDate !== dueDate ? (
        <Alert type="warning" showIcon style={{ marginBottom: 8 }} message={`按现行日历计算届满日为 ${p.dueDate}，本事项记录的届满日为 ${dueDate}（期限起算后日历有调整，或期间曾中止计算）。`} />
      ) : null}
      <Space size={[4, 4]} wrap aria-label="逐日计算">
        {daysOf(p).map((d) => (
          <Tag key={d.date} color={d.color}>{d.text}</Tag>
        ))}
      </Space>
    </div>
  );
}

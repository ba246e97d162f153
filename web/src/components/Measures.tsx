import { useMemo, useState } from 'react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Alert, Button, Col, DatePicker, Drawer, Row, Select, Space, Table, Tag, Typography } from 'antd';
import { Link } from 'react-router-dom';
import dayjs, { type Dayjs } from 'dayjs';
import { withinDivision } from '../../../domain/access';
import { api, unwrap } from '../api/client';
import { label, statusLabels } from '../labels';
import { useNames, useReference } from '../reference';
import { loadSession } from '../session';
import { Chart } from './Chart';
import { ExportButtons } from './ExportButtons';
import { ErrorState, Loading } from './States';

export interface Measure {
  key: string;
  name: string;
  kind: 'count' | 'rate';
  numerator: number;
  denominator: number | null;
  value: number | null;
  target: { kind: 'atLeast'; value: number; basis: string } | { kind: 'reduction'; percent: number; basis: string; value?: number } | null;
  targetValue: number | null;
  baseline: { year: number; from: string; to: string; value: number | null } | null;
  status: 'met' | 'not_met' | 'no_data' | 'no_target';
  formula: { numerator: string; denominator: string | null };
  series: { month: string; numerator: number; denominator: number | null; value: number | null }[];
}
interface MeasuresAnswer {
  from: string;
  to: string;
  divisionCode: string;
  baselineYear: number;
  /** Changed matters not yet rolled up into the daily aggregates; `direct`: the figures were computed from the rows instead. */
  aggregates: { pending: number; direct: boolean };
  items: Measure[];
}
interface DrillAnswer {
  total: number;
  items: { ref: string; caseNo: string | null; cat: string | null; num: number; den: number | null; status: string | null; divisionCode: string | null; unitId: string | null; registeredAt: string | null }[];
}

export const measureStatusLabels: Record<Measure['status'], string> = { met: '达标', not_met: '未达标', no_data: '无数据', no_target: '无目标' };
const statusColor: Record<Measure['status'], string | undefined> = { met: 'green', not_met: 'red', no_data: undefined, no_target: undefined };

/** A value as people read it: a rate in per cent, a count as is. */
export function fmt(m: Pick<Measure, 'kind'>, v: number | null | undefined): string {
  if (v === null || v === undefined) return '—';
  return m.kind === 'rate' ? `${(v * 100).toFixed(1)}%` : String(Math.round(v * 100) / 100);
}
function targetText(m: Measure): string {
  if (!m.target) return '—';
  if (m.target.kind === 'atLeast') return `≥ ${fmt(m, m.target.value)}`;
  return `较${m.baseline?.year ?? ''}年同期下降${m.target.percent}%（≤ ${fmt(m, m.targetValue)}）`;
}

type Side = 'numerator' | 'denominator';

/**
 * 活动考核指标: every measure of the period and jurisdiction against its target (GET /api/measures), its monthly
 * series, and the matters behind each numerator and denominator (GET /api/measures/{key}/matters).
 */
export function Measures() {
  const session = loadSession()!;
  const reference = useReference();
  const names = useNames();
  const root = session.user.divisionCode ?? '331100';
  const [range, setRange] = useState<[Dayjs, Dayjs]>([dayjs().startOf('year'), dayjs()]);
  const [divisionCode, setDivisionCode] = useState(root);
  const [chosen, setChosen] = useState<string | null>(null);
  const [drill, setDrill] = useState<{ m: Measure; side: Side } | null>(null);
  const [offset, setOffset] = useState(0);
  const divisions = useMemo(() => {
    const ds = reference.data?.divisions ?? [];
    const parentOf = (c: string) => ds.find((d) => d.code === c)?.parentCode;
    return ds.filter((d) => d.level !== 'township' && withinDivision(d.code, root, parentOf));
  }, [reference.data, root]);
  const query = { from: range[0].format('YYYY-MM-DD'), to: range[1].format('YYYY-MM-DD'), divisionCode };
  const measures = useQuery({ queryKey: ['measures', query], queryFn: () => unwrap<MeasuresAnswer>(api.GET('/api/measures', { params: { query } })), placeholderData: keepPreviousData });
  const rows = useQuery({
    queryKey: ['measure-matters', drill?.m.key, drill?.side, query, offset],
    enabled: !!drill,
    queryFn: () => unwrap<DrillAnswer>(api.GET('/api/measures/{key}/matters', { params: { path: { key: drill!.m.key }, query: { ...query, side: drill!.side, limit: 20, offset } } })),
    placeholderData: keepPreviousData,
  });

  const items = measures.data?.items ?? [];
  const selected = items.find((m) => m.key === chosen) ?? items.find((m) => m.target) ?? items[0];
  const rated = items.filter((m) => m.kind === 'rate' && m.target?.kind === 'atLeast');
  const open = (m: Measure, side: Side) => {
    setOffset(0);
    setDrill({ m, side });
  };

  return (
    <section aria-labelledby="measures-title">
      <Space style={{ width: '100%', justifyContent: 'space-between', marginBottom: 12 }} wrap>
        <Typography.Title level={2} id="measures-title" style={{ fontSize: 16, margin: 0 }}>活动考核指标（丽委办发〔2018〕51号）</Typography.Title>
        <Space wrap>
          <label htmlFor="measure-period">统计期间</label>
          <DatePicker.RangePicker
            id={{ start: 'measure-period', end: 'measure-period-end' }}
            allowClear={false}
            value={range}
            onChange={(v) => v?.[0] && v[1] && setRange([v[0], v[1]])}
            disabledDate={(d) => d.isAfter(dayjs(), 'day')}
          />
          <label htmlFor="measure-division">统计范围</label>
          <Select id="measure-division" style={{ width: 180 }} value={divisionCode} onChange={setDivisionCode} showSearch optionFilterProp="label" options={divisions.map((d) => ({ value: d.code, label: d.name }))} />
          <ExportButtons path="/api/measures" query={query} what="考核指标" />
        </Space>
      </Space>
      {measures.isError ? (
        <ErrorState error={measures.error} onRetry={() => void measures.refetch()} />
      ) : measures.isPending ? (
        <Loading rows={8} />
      ) : (
        <>
          {measures.data.aggregates.direct ? (
            <Alert
              type="info"
              showIcon
              style={{ marginBottom: 12 }}
              data-testid="measures-direct"
              message={`尚有 ${measures.data.aggregates.pending} 件事项的变动正在汇总，本次指标已按明细直接计算，数值准确，响应稍慢。`}
            />
          ) : null}
          <Table<Measure>
            rowKey="key"
            size="small"
            loading={measures.isFetching}
            pagination={false}
            dataSource={items}
            locale={{ emptyText: '暂无指标' }}
            rowClassName={(m) => (m.status === 'not_met' ? 'row-overdue' : '')}
            onRow={(m) => ({ 'data-testid': `measure-${m.key}` }) as React.HTMLAttributes<HTMLElement>}
            columns={[
              { title: '指标', dataIndex: 'name', render: (n: string, m) => <Button type="link" style={{ padding: 0 }} onClick={() => setChosen(m.key)} aria-label={`${n} 月度趋势`}>{n}</Button> },
              { title: '分子', dataIndex: 'numerator', render: (n: number, m) => <Button type="link" style={{ padding: 0 }} onClick={() => open(m, 'numerator')} aria-label={`${n}（${m.name} 分子明细）`} data-testid={`num-${m.key}`}>{n}</Button> },
              { title: '分母', dataIndex: 'denominator', render: (n: number | null, m) => (n === null ? '—' : <Button type="link" style={{ padding: 0 }} onClick={() => open(m, 'denominator')} aria-label={`${n}（${m.name} 分母明细）`} data-testid={`den-${m.key}`}>{n}</Button>) },
              { title: '数值', dataIndex: 'value', render: (v: number | null, m) => <span data-testid={`value-${m.key}`}>{fmt(m, v)}</span> },
              { title: '目标', key: 'target', render: (_, m) => <span title={m.target?.basis}>{targetText(m)}</span> },
              { title: '基线', key: 'baseline', render: (_, m) => (m.baseline ? `${m.baseline.year}年同期 ${fmt(m, m.baseline.value)}` : '—') },
              { title: '状态', dataIndex: 'status', render: (s: Measure['status'], m) => <Tag color={statusColor[s]} data-testid={`mstatus-${m.key}`}>{measureStatusLabels[s]}</Tag> },
            ]}
          />
          <Row gutter={16} style={{ marginTop: 16 }}>
            <Col xs={24} lg={12}>
              <Typography.Title level={3} style={{ fontSize: 15 }}>比率指标与目标</Typography.Title>
              <Chart
                label={`比率指标实际值与目标值：${rated.map((m) => `${m.name} ${fmt(m, m.value)}，目标 ${fmt(m, m.targetValue)}`).join('；')}`}
                height={320}
                option={{
                  tooltip: { trigger: 'axis' },
                  legend: { data: ['实际', '目标'] },
                  grid: { left: 140 },
                  xAxis: { type: 'value', max: 100, axisLabel: { formatter: '{value}%' } },
                  yAxis: { type: 'category', data: rated.map((m) => m.name) },
                  series: [
                    { type: 'bar', name: '实际', data: rated.map((m) => (m.value === null ? null : Math.round(m.value * 1000) / 10)), itemStyle: { color: '#1f5fbf' } },
                    { type: 'bar', name: '目标', data: rated.map((m) => (m.targetValue === null ? null : Math.round(m.targetValue * 1000) / 10)), itemStyle: { color: '#8c8c8c' } },
                  ],
                }}
                onClick={(_, i) => rated[i] && setChosen(rated[i]!.key)}
              />
            </Col>
            <Col xs={24} lg={12}>
              {selected ? (
                <>
                  <Typography.Title level={3} style={{ fontSize: 15 }} data-testid="series-title">{selected.name}：月度趋势</Typography.Title>
                  <Chart
                    label={`${selected.name}每月数值：${selected.series.map((p) => `${p.month} ${fmt(selected, p.value)}`).join('，')}`}
                    height={320}
                    option={{
                      tooltip: { trigger: 'axis' },
                      xAxis: { type: 'category', data: selected.series.map((p) => p.month) },
                      yAxis: { type: 'value', minInterval: selected.kind === 'count' ? 1 : undefined, axisLabel: selected.kind === 'rate' ? { formatter: '{value}%' } : undefined },
                      series: [
                        {
                          type: selected.kind === 'rate' ? 'line' : 'bar',
                          name: selected.name,
                          data: selected.series.map((p) => (p.value === null ? null : selected.kind === 'rate' ? Math.round(p.value * 1000) / 10 : p.value)),
                          itemStyle: { color: '#1f5fbf' },
                          markLine:
                            selected.kind === 'rate' && selected.target?.kind === 'atLeast'
                              ? { symbol: 'none', data: [{ yAxis: selected.target.value * 100, name: '目标' }], label: { formatter: '目标 {c}%' } }
                              : undefined,
                        },
                      ],
                    }}
                  />
                </>
              ) : null}
            </Col>
          </Row>
        </>
      )}
      <Drawer
        open={!!drill}
        onClose={() => setDrill(null)}
        width={760}
        title={drill ? `${drill.m.name}：${drill.side === 'numerator' ? '分子' : '分母'}明细（${query.from} 至 ${query.to}，${names.division(divisionCode)}）` : ''}
        extra={drill ? <ExportButtons path={`/api/measures/${drill.m.key}/matters`} query={{ ...query, side: drill.side, limit: 5000 }} what="明细" /> : null}
      >
        {rows.isError ? (
          <ErrorState error={rows.error} onRetry={() => void rows.refetch()} />
        ) : (
          <Table
            rowKey={(r) => `${r.ref}-${r.caseNo ?? ''}`}
            size="small"
            loading={rows.isFetching}
            dataSource={rows.data?.items ?? []}
            locale={{ emptyText: rows.isPending ? '加载中…' : '没有记录' }}
            pagination={{ current: offset / 20 + 1, pageSize: 20, total: rows.data?.total ?? 0, showSizeChanger: false, showTotal: (n) => `共 ${n} 条`, onChange: (p) => setOffset((p - 1) * 20) }}
            columns={[
              { title: '记录', dataIndex: 'ref' },
              { title: '信访事项', dataIndex: 'caseNo', render: (c: string | null) => (c ? <Link to={`/matters/${c}`}>{c}</Link> : '—') },
              { title: '分子', dataIndex: 'num' },
              { title: '分母', dataIndex: 'den', render: (d: number | null) => d ?? '—' },
              { title: '状态', dataIndex: 'status', render: (s: string | null) => label(statusLabels, s) },
              { title: '属地', dataIndex: 'divisionCode', render: (c: string | null) => names.division(c) },
              { title: '登记', dataIndex: 'registeredAt', render: (d: string | null) => (d ? dayjs(d).format('YYYY-MM-DD') : '—') },
            ]}
          />
        )}
      </Drawer>
    </section>
  );
}

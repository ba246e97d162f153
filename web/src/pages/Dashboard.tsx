import { useMemo } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Button, Card, Col, Divider, Row, Statistic, Table, Typography } from 'antd';
import { Link, useNavigate } from 'react-router-dom';
import dayjs from 'dayjs';
import { statuses } from '../../../domain/petition';
import { withinDivision } from '../../../domain/access';
import { api, unwrap } from '../api/client';
import type { paths } from '../api/schema';
import { label, statusLabels } from '../labels';
import { useReference } from '../reference';
import { loadSession } from '../session';
import { Chart } from '../components/Chart';
import { Measures } from '../components/Measures';
import { ErrorState, Loading } from '../components/States';

type Query = NonNullable<paths['/api/petitions']['get']['parameters']['query']>;

/** The number of matters a list filter finds (its total), and the list URL a click drills down to. */
async function count(query: Query): Promise<number> {
  const page = await unwrap(api.GET('/api/petitions', { params: { query: { ...query, pageSize: 1 } } }));
  return page.total;
}
const drill = (query: Record<string, string>) => `/matters?${new URLSearchParams(query).toString()}`;

interface Figures {
  open: number;
  overdue: number;
  byStatus: { status: string; n: number }[];
  byCounty: { code: string; name: string; open: number; overdue: number }[];
  byMonth: { month: string; from: string; to: string; n: number }[];
}

/**
 * 督办: figures of the matters in the supervisor's jurisdiction, each from the list API's totals, so every figure
 * drills down to the list that makes it; above them the campaign's measures against their targets (components/Measures).
 */
export default function Dashboard() {
  const session = loadSession()!;
  const navigate = useNavigate();
  const reference = useReference();
  const counties = useMemo(() => {
    const ds = reference.data?.divisions ?? [];
    const parentOf = (c: string) => ds.find((d) => d.code === c)?.parentCode;
    const root = session.user.divisionCode ?? '331100';
    return ds.filter((d) => (d.level === 'county' || d.level === 'development_zone') && withinDivision(d.code, root, parentOf));
  }, [reference.data, session.user.divisionCode]);

  const figures = useQuery({
    queryKey: ['dashboard', counties.map((c) => c.code).join(',')],
    enabled: !!reference.data,
    queryFn: async (): Promise<Figures> => {
      const months = Array.from({ length: 6 }, (_, i) => dayjs().subtract(5 - i, 'month').startOf('month'));
      const [open, overdue, byStatus, byCounty, byMonth] = await Promise.all([
        count({ open: 'true' }),
        count({ open: 'true', overdue: 'true' }),
        Promise.all(statuses.filter((s) => s !== 'REGISTERED').map(async (status) => ({ status, n: await count({ status }) }))),
        Promise.all(
          counties.map(async (c) => ({
            code: c.code,
            name: c.name,
            open: await count({ divisionCode: c.code, open: 'true' }),
            overdue: await count({ divisionCode: c.code, open: 'true', overdue: 'true' }),
          })),
        ),
        Promise.all(
          months.map(async (m) => {
            const from = m.format('YYYY-MM-DD');
            const to = m.endOf('month').format('YYYY-MM-DD');
            return { month: m.format('YYYY年M月'), from, to, n: await count({ from, to }) };
          }),
        ),
      ]);
      return { open, overdue, byStatus, byCounty, byMonth };
    },
  });

  function exportCsv(f: Figures) {
    const lines = [
      ['指标', '分项', '数值'],
      ['未办结', '', String(f.open)],
      ['超期未办结', '', String(f.overdue)],
      ...f.byStatus.map((s) => ['按状态', label(statusLabels, s.status), String(s.n)]),
      ...f.byCounty.flatMap((c) => [['未办结（按县市区）', c.name, String(c.open)], ['超期（按县市区）', c.name, String(c.overdue)]]),
      ...f.byMonth.map((m) => ['月登记量', m.month, String(m.n)]),
    ];
    const csv = '\ufeff' + lines.map((l) => l.map((c) => `"${c.replaceAll('"', '""')}"`).join(',')).join('\r\n');
    const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv;charset=utf-8' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `督办统计-${dayjs().format('YYYYMMDD')}.csv`;
    a.click();
    URL.revokeObjectURL(url);
  }

  const title = <Typography.Title level={1} style={{ fontSize: 20, margin: 0 }}>督办</Typography.Title>;
  if (figures.isError) return <Card title={title}><ErrorState error={figures.error} onRetry={() => void figures.refetch()} /></Card>;
  if (!figures.data) return <Card title={title}><Loading rows={10} /></Card>;
  const f = figures.data;
  const onTime = f.open ? Math.round(((f.open - f.overdue) / f.open) * 1000) / 10 : 100;
  const shownStatuses = f.byStatus.filter((s) => s.n > 0);

  return (
    <Card title={title} extra={<Button onClick={() => exportCsv(f)}>导出实时统计 CSV</Button>}>
      <Measures />
      <Divider />
      <Typography.Title level={2} style={{ fontSize: 16 }}>在办事项（实时）</Typography.Title>
      <Row gutter={16}>
        <Col xs={24} md={6}>
          <Link to={drill({ open: 'true' })}><Statistic title="未办结事项" value={f.open} /></Link>
        </Col>
        <Col xs={24} md={6}>
          <Link to={drill({ open: 'true', overdue: 'true' })}><Statistic title="超期未办结" value={f.overdue} valueStyle={{ color: f.overdue ? '#a8071a' : undefined }} /></Link>
        </Col>
        <Col xs={24} md={12}>
          <Chart
            label={`未办结事项按期率 ${onTime}%`}
            height={240}
            option={{ series: [{ type: 'gauge', min: 0, max: 100, detail: { formatter: '{value}%', fontSize: 20 }, title: { show: true, offsetCenter: [0, '70%'] }, data: [{ value: onTime, name: '按期率' }] }] }}
          />
        </Col>
      </Row>
      <Row gutter={16} style={{ marginTop: 16 }}>
        <Col xs={24} lg={12}>
          <Typography.Title level={2} style={{ fontSize: 16 }}>按状态</Typography.Title>
          <Chart
            label="各状态事项数"
            option={{ tooltip: {}, grid: { left: 100 }, xAxis: { type: 'value', minInterval: 1 }, yAxis: { type: 'category', data: shownStatuses.map((s) => label(statusLabels, s.status)) }, series: [{ type: 'bar', data: shownStatuses.map((s) => s.n), itemStyle: { color: '#1f5fbf' } }] }}
            onClick={(_, i) => navigate(drill({ status: shownStatuses[i]!.status }))}
          />
          <Table size="small" rowKey="status" pagination={false} dataSource={shownStatuses} locale={{ emptyText: '暂无事项' }} columns={[{ title: '状态', dataIndex: 'status', render: (s: string) => label(statusLabels, s) }, { title: '件数', dataIndex: 'n', render: (n: number, s) => <Link to={drill({ status: s.status })} data-testid={`status-${s.status}`}>{n}</Link> }]} />
        </Col>
        <Col xs={24} lg={12}>
          <Typography.Title level={2} style={{ fontSize: 16 }}>超期事项（按县市区）</Typography.Title>
          <Chart
            label="各县市区未办结和超期事项数"
            option={{ tooltip: {}, grid: { bottom: 60 }, xAxis: { type: 'category', data: f.byCounty.map((c) => c.name), axisLabel: { rotate: 30 } }, yAxis: { type: 'value', minInterval: 1 }, series: [{ type: 'bar', name: '未办结', data: f.byCounty.map((c) => c.open), itemStyle: { color: '#1f5fbf' } }, { type: 'bar', name: '超期', data: f.byCounty.map((c) => c.overdue), itemStyle: { color: '#a8071a' } }] }}
            onClick={(_, i) => navigate(drill({ divisionCode: f.byCounty[i]!.code, open: 'true' }))}
          />
          <Table size="small" rowKey="code" pagination={false} dataSource={f.byCounty} columns={[{ title: '县市区', dataIndex: 'name' }, { title: '未办结', dataIndex: 'open', render: (n: number, c) => <Link to={drill({ divisionCode: c.code, open: 'true' })}>{n}</Link> }, { title: '超期', dataIndex: 'overdue', render: (n: number, c) => <Link to={drill({ divisionCode: c.code, open: 'true', overdue: 'true' })}>{n}</Link> }]} />
        </Col>
      </Row>
      <Typography.Title level={2} style={{ fontSize: 16, marginTop: 16 }}>月登记量</Typography.Title>
      <Chart
        label="近六个月每月登记事项数"
        option={{ tooltip: {}, xAxis: { type: 'category', data: f.byMonth.map((m) => m.month) }, yAxis: { type: 'value', minInterval: 1 }, series: [{ type: 'line', data: f.byMonth.map((m) => m.n) }] }}
        onClick={(_, i) => navigate(drill({ from: f.byMonth[i]!.from, to: f.byMonth[i]!.to, sort: 'registered' }))}
      />
    </Card>
  );
}

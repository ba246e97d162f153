import { App, Button, Space } from 'antd';
import { useState } from 'react';
import { downloadExport } from '../api/files';
import { errorTitle } from '../api/client';

/** 导出 CSV / 导出 XLSX of a list or table the API exports (`format=csv|xlsx` on the same route and query). */
export function ExportButtons({ path, query, what }: { path: string; query: Record<string, string | number | undefined>; what: string }) {
  const { message } = App.useApp();
  const [busy, setBusy] = useState<'csv' | 'xlsx' | null>(null);
  async function run(format: 'csv' | 'xlsx') {
    setBusy(format);
    try {
      const name = await downloadExport(path, query, format);
      void message.success(`已导出：${name}`);
    } catch (err) {
      void message.error(`${errorTitle(err)}：${(err as Error).message}`);
    } finally {
      setBusy(null);
    }
  }
  return (
    <span role="group" aria-label={`导出${what}`}>
      <Space>
        <Button loading={busy === 'csv'} onClick={() => void run('csv')}>导出 CSV</Button>
        <Button loading={busy === 'xlsx'} onClick={() => void run('xlsx')}>导出 XLSX</Button>
      </Space>
    </span>
  );
}

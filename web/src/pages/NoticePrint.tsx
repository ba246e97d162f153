import { useQuery } from '@tanstack/react-query';
import { Button } from 'antd';
import { useParams } from 'react-router-dom';
import { api, unwrap } from '../api/client';
import { ErrorState, Loading } from '../components/States';

/** A written notice as a printable page. */
export function NoticePrint() {
  const { id = '' } = useParams();
  const notice = useQuery({ queryKey: ['notice', id], queryFn: () => unwrap(api.GET('/api/notices/{id}', { params: { path: { id } } })) });
  if (notice.isPending) return <main className="print-page"><Loading /></main>;
  if (notice.isError) return <main className="print-page"><ErrorState error={notice.error} /></main>;
  const [title, ...lines] = notice.data.body.split('\n');
  return (
    <main className="print-page">
      <div className="no-print" style={{ textAlign: 'right' }}>
        <Button type="primary" onClick={() => window.print()}>打印</Button>
      </div>
      <h1>{title ?? notice.data.title}</h1>
      {lines.map((l, i) => (
        <p key={i}>{l}</p>
      ))}
    </main>
  );
}

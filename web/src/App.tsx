import { lazy, Suspense, type ReactNode } from 'react';
import { Navigate, Route, Routes, useLocation } from 'react-router-dom';
import { Spin } from 'antd';
import { Shell } from './components/Shell';
import { loadSession } from './session';
import { SignIn } from './pages/SignIn';
import { WorkList } from './pages/WorkList';
import { Register } from './pages/Register';
import { MatterPage } from './pages/Matter';
import { Matters } from './pages/Matters';
import { NoticePrint } from './pages/NoticePrint';
import { Escalations } from './pages/Escalations';
import { CalendarAdmin } from './pages/CalendarAdmin';
import { UsersAdmin } from './pages/UsersAdmin';
import { EscalationDetail } from './pages/EscalationDetail';

// ECharts is large: the dashboard loads it when opened, so the first load stays small.
const Dashboard = lazy(() => import('./pages/Dashboard'));
const Campaign = lazy(() => import('./pages/Campaign'));

function RequireSession({ children }: { children: ReactNode }) {
  const location = useLocation();
  if (!loadSession()) return <Navigate to={`/login?next=${encodeURIComponent(location.pathname + location.search)}`} replace />;
  return <>{children}</>;
}

export function App() {
  return (
    <Routes>
      <Route path="/login" element={<SignIn />} />
      <Route path="/notices/:id/print" element={<RequireSession><NoticePrint /></RequireSession>} />
      <Route element={<RequireSession><Shell /></RequireSession>}>
        <Route path="/" element={<WorkList />} />
        <Route path="/register" element={<Register />} />
        <Route path="/matters" element={<Matters />} />
        <Route path="/matters/:caseNo" element={<MatterPage />} />
        <Route path="/escalations/:kind?" element={<Escalations />} />
        <Route path="/escalations/:kind/:id" element={<EscalationDetail />} />
        <Route
          path="/dashboard"
          element={
            <Suspense fallback={<Spin tip="正在加载图表…" fullscreen />}>
              <Dashboard />
            </Suspense>
          }
        />
        <Route
          path="/campaign/:tab?"
          element={
            <Suspense fallback={<Spin tip="正在加载…" fullscreen />}>
              <Campaign />
            </Suspense>
          }
        />
        <Route path="/admin/calendar" element={<CalendarAdmin />} />
        <Route path="/admin/users" element={<UsersAdmin />} />
        <Route path="*" element={<Navigate to="/" replace />} />
      </Route>
    </Routes>
  );
}

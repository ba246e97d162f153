import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router-dom';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { App as AntApp, ConfigProvider } from 'antd';
import zhCN from 'antd/locale/zh_CN';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import { z } from 'zod';
import { App } from './App';
import './styles.css';

dayjs.locale('zh-cn');
// The API's schemas (domain/) validate the forms too; their built-in messages in Chinese.
z.config(z.locales.zhCN());
z.config({
  customError: (issue) =>
    issue.code === 'too_small' && issue.origin === 'string'
      ? `至少 ${String(issue.minimum)} 个字`
      : issue.code === 'too_big' && issue.origin === 'string'
        ? `最多 ${String(issue.maximum)} 个字`
        : undefined,
});

const queryClient = new QueryClient({
  defaultOptions: { queries: { retry: 1, refetchOnWindowFocus: false, staleTime: 5_000 } },
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ConfigProvider locale={zhCN} theme={{ token: { colorPrimary: '#1f5fbf', colorLink: '#1f5fbf', colorInfo: '#1f5fbf', colorError: '#c8161d', borderRadius: 4, colorTextSecondary: 'rgba(0,0,0,0.68)', colorTextDescription: 'rgba(0,0,0,0.68)', colorTextTertiary: 'rgba(0,0,0,0.62)', colorTextPlaceholder: 'rgba(0,0,0,0.55)' } }}>
      <AntApp>
        <QueryClientProvider client={queryClient}>
          <BrowserRouter>
            <App />
          </BrowserRouter>
        </QueryClientProvider>
      </AntApp>
    </ConfigProvider>
  </StrictMode>,
);

// Files to and from the API that the JSON client does not carry: exports (CSV/XLSX) and the recording upload.
import { ApiError } from './client';
import { currentToken } from '../session';

function errorOf(status: number, text: string, statusText: string): ApiError {
  let body: { error?: string; message?: string; reason?: string; fields?: Record<string, string> } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    /* not JSON */
  }
  return new ApiError(status, body.error ?? String(status), body.reason ?? body.message ?? statusText, body.fields ?? {});
}

/** Downloads `path?query&format=` (the lists' and the measure tables' CSV/XLSX export) under the server's file name. */
export async function downloadExport(path: string, query: Record<string, string | number | undefined>, format: 'csv' | 'xlsx'): Promise<string> {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') q.set(k, String(v));
  q.set('format', format);
  let res: Response;
  try {
    res = await fetch(`${path}?${q}`, { headers: { authorization: `Bearer ${currentToken() ?? ''}` } });
  } catch (err) {
    throw new ApiError(0, 'Network', `无法连接服务器：${(err as Error).message}`);
  }
  if (!res.ok) throw errorOf(res.status, await res.text(), res.statusText);
  const disposition = res.headers.get('content-disposition') ?? '';
  const star = /filename\*=UTF-8''([^;]+)/.exec(disposition)?.[1];
  const name = star ? decodeURIComponent(star) : `export.${format}`;
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
  return name;
}

/** POSTs a file as the request body with upload progress (XMLHttpRequest: fetch has no upload progress). */
export function uploadFile<T>(path: string, file: File, onProgress: (percent: number) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    xhr.setRequestHeader('authorization', `Bearer ${currentToken() ?? ''}`);
    xhr.setRequestHeader('content-type', file.type || 'application/octet-stream');
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(Math.floor((e.loaded / e.total) * 100));
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(100);
        resolve(JSON.parse(xhr.responseText) as T);
      } else reject(errorOf(xhr.status, xhr.responseText, xhr.statusText));
    };
    xhr.onerror = () => reject(new ApiError(0, 'Network', '上传中断：无法连接服务器'));
    xhr.send(file);
  });
}

/** POSTs a text body (a CSV import). */
export async function postText<T>(path: string, text: string, contentType: string): Promise<{ status: number; body: T }> {
  let res: Response;
  try {
    res = await fetch(path, { method: 'POST', headers: { authorization: `Bearer ${currentToken() ?? ''}`, 'content-type': contentType }, body: text });
  } catch (err) {
    throw new ApiError(0, 'Network', `无法连接服务器：${(err as Error).message}`);
  }
  const raw = await res.text();
  if (!res.ok && res.status !== 422) throw errorOf(res.status, raw, res.statusText);
  return { status: res.status, body: JSON.parse(raw) as T };
}

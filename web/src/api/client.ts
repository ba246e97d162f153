import createClient from 'openapi-fetch';
import type { paths } from './schema';
import type { ApiErrorBody } from './types';
import { clearSession, currentToken } from '../session';

/** The typed client: paths, parameters and bodies come from the API's own OpenAPI document (schema.d.ts). */
export const api = createClient<paths, 'application/json'>({ baseUrl: '' });

api.use({
  onRequest({ request }) {
    const token = currentToken();
    if (token) request.headers.set('authorization', `Bearer ${token}`);
    return request;
  },
  onResponse({ response }) {
    // An expired or unknown token: back to sign-in.
    if (response.status === 401 && currentToken()) {
      clearSession();
      window.location.assign('/login');
    }
    return response;
  },
});

/** A refusal or error from the API, with the field errors it gave. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** The one error body of every refusal (api/responses.ts), as the OpenAPI document publishes it. */
type ErrorBody = Partial<ApiErrorBody>;

/**
 * The data of a call (typed by the route's response schema in schema.d.ts), or an ApiError. The second form names
 * the shape a page reads of an answer the API publishes loosely (a workflow's live state, a digest's body).
 */
export async function unwrap<D>(call: Promise<{ data?: D; error?: unknown; response: Response }>): Promise<D>;
export async function unwrap<D>(call: Promise<{ data?: unknown; error?: unknown; response: Response }>): Promise<D>;
export async function unwrap<D>(call: Promise<{ data?: D; error?: unknown; response: Response }>): Promise<D> {
  let result;
  try {
    result = await call;
  } catch (err) {
    throw new ApiError(0, 'Network', `无法连接服务器：${(err as Error).message}`);
  }
  const { data, error, response } = result;
  if (!response.ok) {
    const body = (error ?? {}) as ErrorBody;
    throw new ApiError(response.status, body.error ?? String(response.status), body.reason ?? body.message ?? response.statusText, body.fields ?? {});
  }
  return data as D;
}

/** Chinese headings for the API's refusal codes (the reason itself is the service's text). */
export function errorTitle(err: unknown): string {
  if (!(err instanceof ApiError)) return '操作失败';
  switch (err.status) {
    case 0:
      return '网络错误';
    case 400:
      return '输入有误';
    case 401:
      return err.code === 'InvalidCredentials' ? '登录失败' : '请重新登录';
    case 403:
      return '无权执行此操作';
    case 404:
      return '未找到';
    case 409:
      return err.code === 'UserExists' ? '该登录名已被使用' : '当前状态不允许此操作';
    case 422:
      return err.code === 'CalendarUnknownYear' ? '工作日历缺少该年度数据' : err.code === 'InvalidBinding' ? '角色与辖区/单位不匹配' : '无法处理该请求';
    case 423:
      return '账号已暂时锁定';
    case 429:
      return '请求过于频繁，请稍后重试';
    case 503:
      return '后台服务暂不可用，请稍后重试';
    default:
      return '服务器错误';
  }
}

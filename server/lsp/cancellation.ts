/** LSP request cancellation: the RequestCancelled error, and racing a promise against the token. */
import { LSPErrorCodes, ResponseError, type CancellationToken } from 'vscode-languageserver';

export function cancelled(): ResponseError<void> {
  return new ResponseError(LSPErrorCodes.RequestCancelled, 'request cancelled');
}

/**
 * `promise`, or a RequestCancelled error as soon as the request is cancelled: building a folder's
 * analyzer can wait for a module command or a mirror up to their timeouts, and a dependency graph
 * can take seconds; the client must not wait for either once it has given up.
 */
export function untilCancelled<T>(promise: Promise<T>, token: CancellationToken): Promise<T> {
  if (token.isCancellationRequested) return Promise.reject(cancelled());
  return new Promise<T>((resolve, reject) => {
    const sub = token.onCancellationRequested(() => reject(cancelled()));
    promise.then(
      (value) => {
        sub.dispose();
        resolve(value);
      },
      (err: unknown) => {
        sub.dispose();
        reject(err);
      },
    );
  });
}

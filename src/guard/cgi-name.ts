/**
 * The name as a CGI-style backend reads it: PHP, WSGI, Rack and Apache map `X_User_Id` and
 * `X-User-Id` to the same `HTTP_X_USER_ID`, so an underscore spelling is the same header there.
 */
export function cgiName(lowerName: string): string {
  return lowerName.includes('_') ? lowerName.replace(/_/g, '-') : lowerName;
}

import { useEffect, useState, type ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { currentSession, onSessionChange } from '../api/session';

/** Sends the visitor to the login page, and back here once signed in. */
export function RequireSession({ children }: { children: ReactNode }) {
  const location = useLocation();
  const [session, setSession] = useState(currentSession);
  useEffect(() => onSessionChange(setSession), []);

  if (!session) {
    const back = location.pathname + location.search;
    return <Navigate to={`/login?next=${encodeURIComponent(back)}`} replace />;
  }
  return <>{children}</>;
}

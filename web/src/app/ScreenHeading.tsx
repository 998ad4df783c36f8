import { useEffect, useRef } from 'react';
import type { ReactNode } from 'react';

let firstScreen = true;

/**
 * A screen's <h1>. After an in-app navigation it takes focus, so screen readers announce the new
 * screen and keyboard users start from its top; the very first screen leaves focus alone.
 */
export function ScreenHeading({ children, className, dir }: { children: ReactNode; className?: string; dir?: 'auto' }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (firstScreen) {
      firstScreen = false;
      return;
    }
    ref.current?.focus({ preventScroll: true });
  }, []);
  return (
    <h1 ref={ref} tabIndex={-1} dir={dir} className={className ? `screen-title ${className}` : 'screen-title'}>
      {children}
    </h1>
  );
}

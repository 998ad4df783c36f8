/**
 * A screen loaded when first needed, that can also be loaded ahead (`preload`). Once loaded it
 * renders directly: React.lazy would suspend on its first render even then, and React holds a
 * revealed Suspense boundary back for 300 ms (its fallback throttle), which was most of the time
 * a long conversation took to open.
 */
import { lazy, type ComponentType } from 'react';

export interface LazyScreen<P extends object> {
  (props: P): React.ReactElement;
  /** Starts loading the screen's code; resolves once it is loaded. */
  preload(): Promise<void>;
}

export function lazyScreen<P extends object>(load: () => Promise<ComponentType<P>>): LazyScreen<P> {
  let loaded: ComponentType<P> | null = null;
  let loading: Promise<ComponentType<P>> | null = null;
  const start = () => {
    loading ??= load().then((component) => {
      loaded = component;
      return component;
    });
    return loading;
  };
  const Lazy = lazy(async () => ({ default: await start() }));
  const Screen = (props: P) => {
    const Component = loaded;
    return Component ? <Component {...props} /> : <Lazy {...props} />;
  };
  Screen.preload = async () => {
    await start();
  };
  return Screen;
}

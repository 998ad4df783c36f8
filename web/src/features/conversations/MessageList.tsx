/**
 * The messages of a conversation, virtualized so long histories stay fast. It starts at the bottom
 * and follows new messages while the reader is at the bottom; scrolling up stops the following.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useLayoutEffect, useRef } from 'react';
import type { KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { MessageView } from '../../data/index.ts';
import { MessageItem } from './MessageItem.tsx';

const NEAR_BOTTOM_PX = 80;

export function MessageList({ messages }: { messages: MessageView[] | undefined }) {
  const { t } = useTranslation();
  const scroller = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const list = messages ?? [];
  const virtualizer = useVirtualizer({
    count: list.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => 84,
    overscan: 8,
    getItemKey: (index) => list[index]?.id ?? index,
  });

  const lastId = list.at(-1)?.id;
  useLayoutEffect(() => {
    if (list.length > 0 && atBottom.current) virtualizer.scrollToIndex(list.length - 1, { align: 'end' });
  }, [lastId, list.length, virtualizer]);

  // Measured heights arrive after the first paint; keep the bottom in view while they settle.
  const observeCanvas = useCallback((canvas: HTMLDivElement | null) => {
    if (!canvas) return;
    const observer = new ResizeObserver(() => {
      const element = scroller.current;
      if (element && atBottom.current) element.scrollTop = element.scrollHeight;
    });
    observer.observe(canvas);
    // The scroller shrinks when notices appear above it; stay at the bottom then too.
    if (canvas.parentElement) observer.observe(canvas.parentElement);
    return () => observer.disconnect();
  }, []);

  // Only the reader's own scrolling stops the following; the virtualizer's corrections never do.
  const lastUserScroll = useRef(0);
  const markUserScroll = () => {
    lastUserScroll.current = Date.now();
  };
  // Home and End go to the first and last message at once: the native keys stop short while the
  // heights of the messages on the way are still being measured.
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    markUserScroll();
    if (event.target !== event.currentTarget || list.length === 0) return;
    if (event.key === 'Home') {
      event.preventDefault();
      atBottom.current = false;
      virtualizer.scrollToIndex(0, { align: 'start' });
    } else if (event.key === 'End') {
      event.preventDefault();
      atBottom.current = true;
      virtualizer.scrollToIndex(list.length - 1, { align: 'end' });
    }
  };

  const onScroll = () => {
    const element = scroller.current;
    if (!element) return;
    const nearBottom = element.scrollHeight - element.scrollTop - element.clientHeight < NEAR_BOTTOM_PX;
    if (nearBottom) atBottom.current = true;
    else if (Date.now() - lastUserScroll.current < 1000) atBottom.current = false;
  };

  if (messages === undefined) return <p className="muted message-scroller">{t('app.loading')}</p>;
  if (list.length === 0) return <p className="empty message-scroller">{t('conversation.empty')}</p>;

  return (
    // A scrollable region must be focusable to scroll by keyboard (axe: scrollable-region-focusable).
    // eslint-disable-next-line jsx-a11y/no-noninteractive-element-interactions
    <div
      ref={scroller}
      className="message-scroller"
      role="log"
      aria-label={t('conversation.messagesLabel')}
      // eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex
      tabIndex={0}
      onScroll={onScroll}
      onWheel={markUserScroll}
      onTouchMove={markUserScroll}
      onPointerDown={markUserScroll}
      onKeyDown={onKeyDown}
    >
      <div ref={observeCanvas} className="message-canvas" style={{ blockSize: virtualizer.getTotalSize() }}>
        {virtualizer.getVirtualItems().map((item) => {
          const message = list[item.index];
          if (!message) return null;
          return (
            <div
              key={item.key}
              ref={virtualizer.measureElement}
              data-index={item.index}
              className="message-slot"
              style={{ transform: `translateY(${item.start}px)` }}
            >
              <MessageItem message={message} />
            </div>
          );
        })}
      </div>
    </div>
  );
}

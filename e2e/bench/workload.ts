/** The benchmark's data: message-sized records, the same for the peer and for us. */

const WORDS = 'we talked about the plan for the weekend and what each of us wants to change next month'.split(' ');

/** A deterministic message body of about 120 characters. */
export function messageBody(i: number): string {
  const words: string[] = [];
  let seed = i * 2654435761;
  while (words.join(' ').length < 110) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    words.push(WORDS[seed % WORDS.length] as string);
  }
  return `${words.join(' ')} #${i}`;
}

export function messageDoc(i: number) {
  return {
    _id: `m${String(i).padStart(8, '0')}`,
    conversationId: 'bench-conversation',
    authorId: 'bench-user',
    body: messageBody(i),
    createdAt: 1_764_000_000_000 + i,
  };
}

import { Badge } from '@mantine/core';

const tones = { good: 'teal.9', neutral: 'gray.7', bad: 'red.9' } as const;

/**
 * A short state (public, private, success, failure) on a dark filled badge: white on these
 * shades keeps a 4.5:1 contrast in light and dark alike, which outlined colours do not.
 */
export function StatusBadge({ tone, children }: { tone: keyof typeof tones; children: string }) {
  return (
    <Badge variant="filled" color={tones[tone]}>
      {children}
    </Badge>
  );
}

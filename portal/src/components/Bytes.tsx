import { Text } from '@mantine/core';
import { formatBytes } from './format';

/** A size in binary units, with the exact byte count on hover. */
export function Bytes({ value }: { value: number }) {
  return (
    <Text
      component="span"
      size="sm"
      title={`${value} bytes`}
      data-bytes={value}
      style={{ whiteSpace: 'nowrap' }}
    >
      {formatBytes(value)}
    </Text>
  );
}

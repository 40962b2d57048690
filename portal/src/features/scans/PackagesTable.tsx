import { Box, Group, Select, Stack, Table, Text } from '@mantine/core';
import type { InventoryPackage, PackagePage } from '../../api/types';
import { CopyText } from '../../components/CopyText';
import { ListingTable } from '../../components/ListingTable';
import { SearchBox } from '../../components/SearchBox';
import { artifactApiPath, scanKey } from './queries';
import { useScanListing, useUrlFilter } from './scanListing';

const columns = ['Name', 'Version', 'Type', 'Licences', 'Package URL'];
const allTypes = 'all';

/** The packages of an image's SBOM, by type and name, paged on the server. */
export function PackagesTable(props: {
  repository: string;
  digest: string;
  scannedAt: string | undefined;
}) {
  const [type, setType] = useUrlFilter('type');
  const packages = useScanListing<PackagePage>(
    [...scanKey(props.repository, props.digest), 'packages', props.scannedAt],
    `${artifactApiPath(props.repository, props.digest)}/packages`,
    { type },
  );
  const { list, query } = packages;

  return (
    <Stack>
      <Group align="flex-end">
        <Select
          aria-label="Package type"
          data={typeOptions(query.data?.types ?? {}, type)}
          value={type || allTypes}
          onChange={(value) => setType(value === allTypes || !value ? '' : value)}
          allowDeselect={false}
          w={220}
        />
        <Box w={300}>
          <SearchBox value={list.search} onChange={list.setSearch} label="Search names and purls" />
        </Box>
      </Group>
      <ListingTable
        listing={packages}
        noun="packages"
        empty="No package matches."
        columns={columns}
        minWidth={900}
        hover={false}
      >
        {(item) => <PackageRow key={item.purl} item={item} />}
      </ListingTable>
    </Stack>
  );
}

function PackageRow({ item }: { item: InventoryPackage }) {
  const source =
    item.sourceName && item.sourceName !== item.name ? `from ${item.sourceName}` : undefined;

  return (
    <Table.Tr>
      <Table.Td>
        <Text size="sm">{item.name}</Text>
        {source && <Text size="xs">{source}</Text>}
      </Table.Td>
      <Table.Td>
        <Text size="sm" ff="monospace">
          {item.version}
        </Text>
      </Table.Td>
      <Table.Td>
        <Text size="sm">{item.arch ? `${item.type} (${item.arch})` : item.type}</Text>
      </Table.Td>
      <Table.Td>
        <Text size="sm" maw={260}>
          {item.licenses.join(', ') || '—'}
        </Text>
      </Table.Td>
      <Table.Td>
        <CopyText
          value={item.purl}
          shown={shorten(item.purl, 48)}
          label={`Copy the purl of ${item.name}`}
        />
      </Table.Td>
    </Table.Tr>
  );
}

/** Every type with its count, and the one chosen even before the counts arrive. */
function typeOptions(types: Record<string, number>, chosen: string) {
  const counts = { ...(chosen && { [chosen]: undefined }), ...types };
  const total = Object.values(types).reduce((sum, n) => sum + n, 0);

  return [
    { value: allTypes, label: `All types (${total.toLocaleString()})` },
    ...Object.entries(counts).map(([name, count]) => ({
      value: name,
      label: count === undefined ? name : `${name} (${count.toLocaleString()})`,
    })),
  ];
}

function shorten(text: string, length: number): string {
  return text.length <= length ? text : `${text.slice(0, length - 1)}…`;
}

import { Alert, createTheme, Modal, Notification } from '@mantine/core';

/**
 * Darker shades than Mantine's defaults for filled and light elements, and text colours picked
 * for contrast, so that badges and buttons stay readable (WCAG AA) in light and dark.
 */
export const theme = createTheme({
  primaryColor: 'blue',
  primaryShade: { light: 8, dark: 8 },
  autoContrast: true,
  fontFamily:
    'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "DejaVu Sans", Arial, sans-serif',
  fontFamilyMonospace: 'ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace',
  defaultRadius: 'sm',
  focusRing: 'auto',
  components: {
    // Close buttons are icons: screen readers need their name.
    Modal: Modal.extend({ defaultProps: { closeButtonProps: { 'aria-label': 'Close' } } }),
    Notification: Notification.extend({
      defaultProps: { closeButtonProps: { 'aria-label': 'Close' } },
    }),
    // A coloured title on a tinted background is too faint; the border and icon keep the colour.
    Alert: Alert.extend({ styles: { title: { color: 'var(--mantine-color-text)' } } }),
  },
});

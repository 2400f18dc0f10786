import { onBeforeUnmount, onMounted } from 'vue';

/**
 * Blob addresses a component made (a downloaded file, the printable form): let go of when it goes (or the tab
 * does), not kept for the tab's life.
 */
export function useBlobUrls() {
  const urls = new Set<string>();
  function revokeAll(): void {
    for (const url of urls) URL.revokeObjectURL(url);
    urls.clear();
  }
  onMounted(() => window.addEventListener('pagehide', revokeAll));
  onBeforeUnmount(() => {
    window.removeEventListener('pagehide', revokeAll);
    revokeAll();
  });
  return {
    /** A blob's address, let go of with the component at the latest. */
    make(blob: Blob): string {
      const url = URL.createObjectURL(blob);
      urls.add(url);
      return url;
    },
    revoke(url: string): void {
      URL.revokeObjectURL(url);
      urls.delete(url);
    },
  };
}

import { ref, type Ref } from 'vue';
import { useRouter } from 'vue-router';
import { fetchBlob, toLoginFrom, type Application } from '../application';
import { useBlobUrls } from './blob-urls';

/**
 * The printable form's HTML with the server's Content-Security-Policy as a meta tag: shown from a blob: address
 * on the console's origin, it would otherwise lose the header the server sent with it (no script, nothing loaded).
 */
export function withPolicy(html: string): string {
  const meta =
    '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'; img-src data:">';
  const head = /<head(\s[^>]*)?>/i.exec(html);
  if (head)
    return html.slice(0, head.index + head[0].length) + meta + html.slice(head.index + head[0].length);
  return meta + html;
}

/**
 * The printable 准入审批表 (`GET /applications/:id/form.html`), opened in a new tab: fetched with the token, shown
 * from a blob of its own, let go of when the page goes. `printUrl` is its address, for a link if the tab did
 * not open.
 */
export function usePrintable(
  application: Ref<Application | null>,
  onError: (e: unknown) => void,
): { printUrl: Ref<string>; openPrintable: () => Promise<void> } {
  const toLogin = toLoginFrom(useRouter());
  const blobs = useBlobUrls();
  const printUrl = ref('');
  async function openPrintable(): Promise<void> {
    if (!application.value) return;
    try {
      const blob = await fetchBlob(
        `/applications/${encodeURIComponent(application.value.id)}/form.html`,
        toLogin,
      );
      if (printUrl.value) blobs.revoke(printUrl.value);
      const html = withPolicy(await blob.text());
      printUrl.value = blobs.make(new Blob([html], { type: 'text/html;charset=utf-8' }));
      window.open(printUrl.value, '_blank', 'noopener');
    } catch (e) {
      onError(e);
    }
  }
  return { printUrl, openPrintable };
}

/** Previous / next paging with the position among `total` items. */
export function Pager({
  offset,
  limit,
  total,
  onPage,
}: {
  offset: number;
  limit: number;
  total: number;
  onPage(page: number): void;
}) {
  const page = Math.floor(offset / limit);
  const pages = Math.max(1, Math.ceil(total / limit));
  const first = total === 0 ? 0 : offset + 1;
  const last = Math.min(total, offset + limit);
  return (
    <div className="pager" data-testid="pager">
      <button type="button" disabled={page <= 0} onClick={() => onPage(page - 1)}>
        ‹ Previous
      </button>
      <span className="muted">
        {first}–{last} of {total} · page {page + 1} of {pages}
      </span>
      <button type="button" disabled={page + 1 >= pages} onClick={() => onPage(page + 1)}>
        Next ›
      </button>
    </div>
  );
}

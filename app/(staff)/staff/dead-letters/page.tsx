import Link from "next/link";
import { dateTime } from "@/components/staff/format";
import { PageHeader } from "@/components/staff/page-header";
import { Table, Td } from "@/components/staff/table";
import { getDb } from "@/db/client";
import { isLoyaltyError } from "@/lib/loyalty/errors";
import { listDeadLettersForStaff } from "@/lib/stream/staff-dead-letters";
import { requireStaff } from "../staff-session";

export const metadata = { title: "Dead letters" };
export const dynamic = "force-dynamic";

/** The shape of the cursors listDeadLetters hands out (base64url of an id); anything else is ignored. */
const CURSOR = /^[A-Za-z0-9_-]{1,32}$/;

export default async function DeadLettersPage({ searchParams }: { searchParams: Promise<{ cursor?: string }> }) {
  const { actor } = await requireStaff("dead-letters:read");
  const params = await searchParams;
  const db = getDb();
  const cursor = params.cursor && CURSOR.test(params.cursor) ? params.cursor : null;
  let staleLink = Boolean(params.cursor) && !cursor;
  let page;
  try {
    page = await listDeadLettersForStaff(db, actor, { cursor });
  } catch (error) {
    // A hand-edited page link: show the newest entries instead of an error page.
    if (!isLoyaltyError(error) || error.code !== "validation_failed") throw error;
    staleLink = true;
    page = await listDeadLettersForStaff(db, actor);
  }

  return (
    <>
      <PageHeader
        title="Dead letters"
        description="Stream events the worker could never apply (unknown member, invalid payload, a refund of an unknown purchase, or failing again after every retry). They were set aside so the stream kept moving and nothing was awarded for them. Fix the cause, then publish a corrected event. Dates are UTC."
      />
      {staleLink ? (
        <p role="status" className="mb-4 rounded-lg border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
          That page link is not valid; showing the newest entries.
        </p>
      ) : null}
      <Table caption="Dead-lettered events, newest first" head={["When", "Reason", "Stream entry", "Payload"]} empty="No event has been dead-lettered.">
        {page.items.map((letter) => (
          <tr key={letter.id}>
            <Td className="whitespace-nowrap">{dateTime(letter.createdAt)}</Td>
            <Td className="max-w-80 break-words">{letter.reason}</Td>
            <Td className="font-mono text-xs break-all">{letter.streamId}</Td>
            <Td className="max-w-md font-mono text-xs break-all">{JSON.stringify(letter.payload)}</Td>
          </tr>
        ))}
      </Table>
      <nav aria-label="Pages" className="mt-3 flex justify-between text-sm font-medium">
        {cursor && !staleLink ? (
          <Link href="/staff/dead-letters" className="text-indigo-700 hover:underline">
            ← Newest
          </Link>
        ) : (
          <span />
        )}
        {page.nextCursor ? (
          <Link href={`/staff/dead-letters?cursor=${encodeURIComponent(page.nextCursor)}`} className="text-indigo-700 hover:underline">
            Older entries →
          </Link>
        ) : null}
      </nav>
    </>
  );
}

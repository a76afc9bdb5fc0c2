import { ActionForm } from "@/components/staff/action-form";
import { dateTime } from "@/components/staff/format";
import { PageHeader } from "@/components/staff/page-header";
import { RowAction } from "@/components/staff/row-action";
import { StaffCheckboxGroup, StaffField } from "@/components/staff/staff-field";
import { Table, Td } from "@/components/staff/table";
import { Card } from "@/components/ui/card";
import { SubmitButton } from "@/components/ui/submit-button";
import { getDb } from "@/db/client";
import { listWebhookDeliveries } from "@/lib/webhooks/delivery-log";
import { listWebhookEndpoints } from "@/lib/webhooks/endpoints";
import { requireStaff } from "../staff-session";
import { WEBHOOK_EVENT_TYPES } from "@/lib/webhooks/event-types";
import { createWebhookEndpointAction, redeliverWebhookAction } from "./actions";

export const metadata = { title: "Webhooks" };
export const dynamic = "force-dynamic";

export default async function WebhooksPage() {
  const { actor } = await requireStaff("webhooks:manage");
  const db = getDb();
  const [endpoints, deliveries] = await Promise.all([listWebhookEndpoints(db), listWebhookDeliveries(db, actor)]);
  return (
    <>
      <PageHeader
        title="Webhooks"
        description="Signed events sent to the shop's systems (docs/webhooks.md). Endpoints are added here or through the API (POST /api/v1/webhook-endpoints, scope webhooks:write), and only to public hosts: private, loopback, link-local and cloud metadata addresses are refused. A delivery is retried with growing pauses for about a day, then marked failed; Redeliver sends it again with the same webhook-id. Dates are UTC."
      />
      <Table caption="Endpoints" head={["Id", "URL", "Event types", "State"]} empty="No endpoint yet.">
        {endpoints.map((e) => (
          <tr key={e.id}>
            <Td>{e.id}</Td>
            <Td className="font-mono text-xs break-all">{e.url}</Td>
            <Td className="text-xs">{e.eventTypes ? e.eventTypes.join(", ") : "all"}</Td>
            <Td>{e.enabled ? "enabled" : "disabled"}</Td>
          </tr>
        ))}
      </Table>
      <div className="mt-6" />
      <Card title="Add endpoint">
        <ActionForm action={createWebhookEndpointAction} ariaLabel="Add endpoint" className="space-y-3" resetOnSuccess>
          <StaffField label="URL (https)" name="url" required hint="The receiver's address; it must be a public host." />
          <StaffCheckboxGroup
            legend="Event types (none ticked: every type)"
            name="eventTypes"
            options={WEBHOOK_EVENT_TYPES.map((t) => ({ value: t, label: t }))}
          />
          <SubmitButton>Add endpoint</SubmitButton>
        </ActionForm>
      </Card>
      <div className="mt-6" />
      <Table
        caption="Delivery log, newest first"
        head={["Created", "Event", "Endpoint", "Status", "Attempts", "Last response", ""]}
        empty="Nothing has been sent."
      >
        {deliveries.map((d) => (
          <tr key={d.id}>
            <Td className="whitespace-nowrap">{dateTime(new Date(d.createdAt))}</Td>
            <Td className="text-xs">
              {d.type}
              <div className="font-mono text-slate-600">{d.webhookId}</div>
            </Td>
            <Td className="max-w-60 font-mono text-xs break-all">{d.endpointUrl}</Td>
            <Td>{d.status}</Td>
            <Td>
              {d.attempts}
              {d.lastAttemptAt ? <div className="text-xs text-slate-600">last {dateTime(new Date(d.lastAttemptAt))}</div> : null}
            </Td>
            <Td className="max-w-72 text-xs break-words">
              {d.lastStatus !== null ? `HTTP ${d.lastStatus}` : d.attempts > 0 ? "no answer" : "—"}
              {d.lastResponse ? <div className="font-mono text-slate-600">{d.lastResponse.slice(0, 200)}</div> : null}
            </Td>
            <Td>{d.status !== "pending" ? <RowAction action={redeliverWebhookAction} fields={{ id: d.id }} label="Redeliver" variant="ghost" /> : null}</Td>
          </tr>
        ))}
      </Table>
    </>
  );
}

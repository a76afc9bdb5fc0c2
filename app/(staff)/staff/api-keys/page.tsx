import { ApiKeyRowActions, NewApiKeyForm } from "@/components/staff/api-key-forms";
import { dateTime } from "@/components/staff/format";
import { PageHeader } from "@/components/staff/page-header";
import { Badge, Table, Td } from "@/components/staff/table";
import { Card } from "@/components/ui/card";
import { getDb } from "@/db/client";
import { env } from "@/lib/env";
import { listApiKeys, type ApiKeyStatus } from "@/lib/loyalty/access/api-key-lifecycle";
import { API_SCOPES } from "@/lib/loyalty/access/api-keys";
import { requireStaff } from "../staff-session";
import { createApiKeyAction, revokeApiKeyAction, rotateApiKeyAction } from "./actions";

export const metadata = { title: "API keys" };
export const dynamic = "force-dynamic";

const TONE: Record<ApiKeyStatus, string> = { active: "active", retiring: "paused", expired: "ended", revoked: "archived" };

export default async function ApiKeysPage() {
  const { actor } = await requireStaff("api-keys:manage");
  const now = new Date();
  const keys = await listApiKeys(getDb(), actor, now);
  const defaultRate = env().API_KEY_RATE_LIMIT;
  return (
    <>
      <PageHeader
        title="API keys"
        description="Keys of the systems that call the REST API. A key has only the scopes given to it, a rate limit and usually an expiry; only its hash is stored. Revoked keys are refused at once here and by every app instance within 10 seconds. Every change is in the audit log."
      />
      <div className="grid gap-6 lg:grid-cols-3">
        <div className="lg:col-span-2">
          <Table caption="API keys, usable first" head={["Key", "Status", "Scopes", "Limit", "Expires", "Last used", ""]} empty="No API key yet.">
            {keys.map((k) => (
              <tr key={k.id}>
                <Td>
                  <div className="font-medium text-slate-900">{k.name}</div>
                  <div className="font-mono text-xs text-slate-600">
                    #{k.id} · {k.prefix}…
                  </div>
                </Td>
                <Td>
                  <Badge tone={TONE[k.status]}>{k.status}</Badge>
                  {k.status === "retiring" ? <div className="mt-1 text-xs text-slate-600">until {dateTime(k.revokedAt)}</div> : null}
                </Td>
                <Td className="text-xs">{k.scopes.join(", ")}</Td>
                <Td numeric>{k.rateLimitPerSecond === null ? `${defaultRate}/s (default)` : `${k.rateLimitPerSecond}/s`}</Td>
                <Td className="text-xs whitespace-nowrap">{k.expiresAt ? dateTime(k.expiresAt) : "never"}</Td>
                <Td className="text-xs whitespace-nowrap">{k.lastUsedAt ? dateTime(k.lastUsedAt) : "never"}</Td>
                <Td>
                  <ApiKeyRowActions id={k.id} name={k.name} status={k.status} rotate={rotateApiKeyAction} revoke={revokeApiKeyAction} />
                </Td>
              </tr>
            ))}
          </Table>
        </div>
        <Card title="New key">
          <NewApiKeyForm action={createApiKeyAction} scopes={API_SCOPES} defaultRate={defaultRate} />
        </Card>
      </div>
    </>
  );
}

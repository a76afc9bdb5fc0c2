"use client";

import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

export interface ChartRow {
  period: string;
  earned: number;
  redeemed: number;
  expired: number;
  adjusted: number;
}

/** Points earned, redeemed, expired and adjusted per period; the table under it carries the same figures. */
export function FlowChart({ rows }: { rows: readonly ChartRow[] }) {
  return (
    <div className="h-72 w-full" role="img" aria-label="Bar chart of points earned, redeemed, expired and adjusted per period (figures in the table below)">
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={[...rows]} margin={{ top: 8, right: 8, bottom: 8, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" />
          <XAxis dataKey="period" tick={{ fontSize: 12, fill: "#334155" }} />
          <YAxis tick={{ fontSize: 12, fill: "#334155" }} width={70} />
          <Tooltip />
          <Legend />
          <Bar dataKey="earned" name="Earned" fill="#4338ca" />
          <Bar dataKey="redeemed" name="Redeemed" fill="#0f766e" />
          <Bar dataKey="expired" name="Expired" fill="#b45309" />
          <Bar dataKey="adjusted" name="Adjusted" fill="#64748b" />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}

import { benchAccrual } from "./bench-accrual";
import { benchHttp } from "./bench-http";
import { benchJobs } from "./bench-jobs";
import { benchReads } from "./bench-reads";
import { generateData } from "./generate-data";
import { runAndExit } from "./run-main";

/** `npm run bench`: every part in turn with the defaults of bench/config.ts; each prints its figures. */
async function main() {
  await generateData();
  await benchAccrual();
  await benchReads();
  await benchHttp();
  // Last: the expiry job consumes open lots of the data set.
  await benchJobs();
}

runAndExit(main);

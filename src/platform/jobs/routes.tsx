import { Type } from '@sinclair/typebox';
import type { App, AppModule, Job, JobSchedule } from '../module.ts';
import type { View } from '../web/view.ts';
import { Table } from '../web/components.tsx';
import { Nullable, ProblemRef, hidden, secured } from '../http/schemas.ts';
import { jobStatuses, recentRuns, type JobStatus, type RunResult } from './status.ts';
import type { RunRecord } from './runner.ts';
import { formatInstant, type Lang } from '../web/i18n.ts';

/** Reads the scheduled jobs and their runs. Administrators only. */
export const JOBS_READ = 'jobs.read';

const Result = Type.Union(['running', 'ok', 'error', 'interrupted'].map((r) => Type.Literal(r)));

const JobStatusSchema = Type.Object({
  name: Type.String(),
  description: Type.String(),
  schedule: Type.String({ description: 'For example "every 60 minutes" or "daily at 03:00 UTC".' }),
  next_run_at: Type.String({ format: 'date-time' }),
  running: Type.Boolean({ description: 'A node holds the job now.' }),
  last_run: Nullable(
    Type.Object({
      started_at: Type.String({ format: 'date-time' }),
      finished_at: Nullable(Type.String({ format: 'date-time' })),
      result: Result,
      detail: Nullable(Type.String({ description: 'The summary of a run that succeeded, or the error of one that failed.' })),
      trigger: Type.Union([Type.Literal('schedule'), Type.Literal('manual')]),
      node: Type.String({ description: 'The app node (host:process) that ran it.' }),
    }),
  ),
});

const messages = {
  en: {
    'jobs.desc.sessions.purge': 'Delete expired sign-in sessions.',
    'jobs.desc.jobs.prune': 'Delete the records of job runs older than 90 days.',
    'jobs.schedule.minutes': 'every {n} minutes',
    'jobs.schedule.minute': 'every minute',
    'jobs.schedule.daily': 'daily at {time} UTC',
    'nav.admin.jobs': 'Scheduled jobs',
    'jobs.title': 'Scheduled jobs',
    'jobs.intro': 'Work the app does on its own, on a schedule. Each run happens once, on one app node. Times are UTC.',
    'jobs.cli': 'To run a job now, on a server: taskforce jobs run NAME',
    'jobs.col.job': 'Job',
    'jobs.col.schedule': 'Schedule',
    'jobs.col.last': 'Last run',
    'jobs.col.result': 'Result',
    'jobs.col.next': 'Next run',
    'jobs.col.node': 'Node',
    'jobs.col.trigger': 'Started by',
    'jobs.never': 'Never',
    'jobs.running.now': 'running now',
    'jobs.result.ok': 'Succeeded',
    'jobs.result.error': 'Failed',
    'jobs.result.running': 'Running',
    'jobs.result.interrupted': 'Interrupted',
    'jobs.trigger.schedule': 'Schedule',
    'jobs.trigger.manual': 'By hand',
    'jobs.recent': 'Recent runs',
  },
  es: {
    'jobs.desc.sessions.purge': 'Borrar las sesiones vencidas.',
    'jobs.desc.jobs.prune': 'Borrar los registros de ejecuciones de más de 90 días.',
    'jobs.schedule.minutes': 'cada {n} minutos',
    'jobs.schedule.minute': 'cada minuto',
    'jobs.schedule.daily': 'cada día a las {time} UTC',
    'nav.admin.jobs': 'Tareas programadas',
    'jobs.title': 'Tareas programadas',
    'jobs.intro': 'Trabajo que la aplicación hace por sí sola, según un calendario. Cada ejecución ocurre una vez, en un solo nodo. Las horas están en UTC.',
    'jobs.cli': 'Para ejecutar una tarea ahora, en un servidor: taskforce jobs run NOMBRE',
    'jobs.col.job': 'Tarea',
    'jobs.col.schedule': 'Calendario',
    'jobs.col.last': 'Última ejecución',
    'jobs.col.result': 'Resultado',
    'jobs.col.next': 'Próxima ejecución',
    'jobs.col.node': 'Nodo',
    'jobs.col.trigger': 'Iniciada por',
    'jobs.never': 'Nunca',
    'jobs.running.now': 'en curso',
    'jobs.result.ok': 'Correcta',
    'jobs.result.error': 'Fallida',
    'jobs.result.running': 'En curso',
    'jobs.result.interrupted': 'Interrumpida',
    'jobs.trigger.schedule': 'Calendario',
    'jobs.trigger.manual': 'A mano',
    'jobs.recent': 'Ejecuciones recientes',
  },
};

function ResultText({ v, result, detail }: { v: View; result: RunResult; detail: string | null }) {
  return (
    <>
      <strong>{v.t(`jobs.result.${result}`)}</strong>
      {detail ? <span>: {detail}</span> : null}
    </>
  );
}

type ShownRun = Omit<RunRecord, 'result'> & { result: RunResult };

/** A job's description in the reader's language: its module's string `jobs.desc.<name>`, else as declared. */
function described(v: View, name: string, fallback: string): string {
  const key = `jobs.desc.${name}`;
  const text = v.t(key);
  return text === key ? fallback : text;
}

/** An instant as the reader reads it (formatInstant: their language), in UTC like the schedules. */
const when = (instant: string, lang: Lang) => formatInstant(lang, instant, 'UTC');

function scheduleText(v: View, s: JobSchedule | undefined): string | undefined {
  if (!s) return undefined;
  if ('everyMinutes' in s) return s.everyMinutes === 1 ? v.t('jobs.schedule.minute') : v.t('jobs.schedule.minutes', { n: s.everyMinutes });
  return v.t('jobs.schedule.daily', { time: s.dailyAt });
}

function JobsPage({ v, jobs, statuses, runs }: { v: View; jobs: readonly Job[]; statuses: JobStatus[]; runs: ShownRun[] }) {
  return (
    <div>
      <h1>{v.t('jobs.title')}</h1>
      <p class="usa-intro">{v.t('jobs.intro')}</p>
      <Table
        v={v}
        wrap
        caption={v.t('jobs.title')}
        head={[v.t('jobs.col.job'), v.t('jobs.col.schedule'), v.t('jobs.col.last'), v.t('jobs.col.result'), v.t('jobs.col.next')]}
        rows={statuses.map((s) => [
          <>
            <code>{s.name}</code>
            <div class="font-body-2xs">{described(v, s.name, s.description)}</div>
          </>,
          scheduleText(v, jobs.find((j) => j.name === s.name)?.schedule) ?? s.schedule,
          s.last_run ? when(s.last_run.started_at, v.lang) : v.t('jobs.never'),
          s.last_run ? <ResultText v={v} result={s.last_run.result} detail={s.last_run.detail} /> : '',
          `${when(s.next_run_at, v.lang)}${s.running ? ` (${v.t('jobs.running.now')})` : ''}`,
        ])}
      />
      <p>{v.t('jobs.cli')}</p>
      <h2>{v.t('jobs.recent')}</h2>
      <Table
        v={v}
        wrap
        caption={v.t('jobs.recent')}
        head={[v.t('jobs.col.job'), v.t('jobs.col.last'), v.t('jobs.col.result'), v.t('jobs.col.trigger'), v.t('jobs.col.node')]}
        rows={runs.map((r) => [<code>{r.job}</code>, when(r.started_at, v.lang), <ResultText v={v} result={r.result} detail={r.detail} />, v.t(`jobs.trigger.${r.trigger}`), r.node])}
      />
    </div>
  );
}

/**
 * The administrators' view of the scheduled jobs, in the shape of a module so that the app installs it like one.
 * It is the platform's, not a module: it lists the jobs it is given.
 */
export function jobsAdmin(jobs: readonly Job[]): AppModule {
  return {
    name: 'jobs',
    permissions: { [JOBS_READ]: ['admin'] },
    nav: [{ href: '/admin/jobs', label: 'nav.admin.jobs', permission: JOBS_READ, order: 92, manage: true }],
    messages,
    async register(app: App) {
      app.get('/admin/jobs', { config: { access: { permission: JOBS_READ } }, schema: hidden }, async (req, reply) => {
        const v = req.view();
        const [statuses, runs] = [await jobStatuses(req.ctx.db, jobs), await recentRuns(req.ctx.db)];
        // Results of runs that died with their node are shown as interrupted, as in the table above.
        const byJob = new Map(statuses.map((s) => [s.name, s]));
        const shown: ShownRun[] = runs.map((r) => (r.result === 'running' && !byJob.get(r.job)?.running ? { ...r, result: 'interrupted' } : r));
        return reply.page(v.t('jobs.title'), <JobsPage v={v} jobs={jobs} statuses={statuses} runs={shown} />);
      });

      app.get(
        '/api/jobs',
        {
          config: { access: { permission: JOBS_READ } },
          schema: {
            tags: ['Jobs'],
            summary: 'The scheduled jobs: schedule, last run and its result, next run',
            security: secured,
            response: { 200: Type.Array(JobStatusSchema), 401: ProblemRef, 403: ProblemRef },
          },
        },
        async (req) => jobStatuses(req.ctx.db, jobs),
      );
    },
  };
}

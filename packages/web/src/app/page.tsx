import Link from "next/link";

export const dynamic = "force-dynamic";

export default function Home() {
  return (
    <>
      <h1>Reports your team will actually read</h1>
      <p>
        Acme turns your raw numbers into a weekly brief. Start free, upgrade
        when your team needs exports and scheduled reports.
      </p>
      <p>
        <Link href="/signup" className="button">
          Start free
        </Link>
      </p>
    </>
  );
}

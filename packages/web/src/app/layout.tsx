import { ClerkProvider } from "@clerk/nextjs";
import type { ReactNode } from "react";
import { Header } from "@/components/header";
import { siteConfig } from "@/lib/config";
import "./globals.css";

export const metadata = { title: "Acme: sign-up provisioning demo" };

export default function RootLayout({ children }: { children: ReactNode }) {
  const config = siteConfig();
  const page = (
    <html lang="en">
      <body>
        {config.offline && (
          <div className="banner" data-testid="offline-banner">
            Offline mode: sign-up and sign-in are served by the local
            stand-in for Clerk; no data leaves this machine.
          </div>
        )}
        <Header />
        <main>{children}</main>
      </body>
    </html>
  );
  // Clerk's client components load Clerk's script from Clerk's servers,
  // which offline mode cannot reach, so they are only used online.
  if (config.offline) return page;
  return (
    <ClerkProvider publishableKey={config.publishableKey}>{page}</ClerkProvider>
  );
}
